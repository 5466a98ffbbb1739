/**
 * What a patch provider knows about one patch on one host, in the terms the baseline evaluation needs. On Linux a
 * "patch" is a package (its installed version and, when there is one, the update that would replace it); on
 * Windows it is an update (a KB) that Windows Update offers or has installed.
 */
export interface PatchCandidate {
  /** Package name (Linux, macOS) or the update's KB id (Windows, e.g. `KB5034439`). */
  name: string;
  /** The KB id on Windows; defaults to `name`. */
  kbId?: string;
  /** The update's title where the source has one (Windows, advisories). */
  title?: string;
  arch?: string;
  /** The version that is installed, when the package is installed. For rpm: `[epoch:]version-release`. */
  installedVersion?: string;
  /** The version an update would install, when an update is available. For rpm: `[epoch:]version-release`. */
  availableVersion?: string;
  /** Windows updates: whether the update is installed (Windows has no "installed version"). */
  installed?: boolean;
  /** SSM's classification for the OS: `Security`, `Bugfix`, ... (rpm), `SecurityUpdates`, ... (Windows). */
  classification?: string;
  /** SEVERITY (rpm, SUSE) or MSRC_SEVERITY (Windows). */
  severity?: string;
  /** PRIORITY and SECTION (apt). */
  priority?: string;
  section?: string;
  /** PRODUCT (e.g. `Ubuntu22.04`, `RedhatEnterpriseLinux9.4`, `WindowsServer2022`), PRODUCT_FAMILY, PATCH_SET. */
  product?: string;
  productFamily?: string;
  patchSet?: 'OS' | 'APPLICATION';
  /** The repository (apt suite, dnf repo id) the update comes from. */
  repository?: string;
  /** ISO 8601 release date of the update (advisory issued date, Windows release date). */
  releaseDate?: string;
  cves?: string[];
  advisoryIds?: string[];
  bugzillaIds?: string[];
  /**
   * Whether the update is a security update: from a `*-security` suite (apt), in a `security` advisory (dnf),
   * classified SecurityUpdates (Windows). Decides AVAILABLE_SECURITY_UPDATE.
   */
  security: boolean;
  /**
   * Whether SSM treats the update as non-security, so that approval rules consider it only with EnableNonSecurity
   * (and the approved list only with ApprovedPatchesEnableNonSecurity): apt, an update from no `*-security` suite;
   * the rpm family, a package that no updateinfo advisory names (an advisory of any type, Bugfix included, puts a
   * package in the set rules see). Never set on Windows, where EnableNonSecurity does not apply.
   */
  nonSecurity?: boolean;
}

/** One candidate's standing against a baseline. */
export interface PatchDecision {
  approved: boolean;
  rejected: boolean;
  /** SSM's compliance level for an approved patch (`UNSPECIFIED` when nothing set one). */
  complianceLevel: string;
  /** Why: which list or rule decided, for logs and status details. */
  reason: string;
}

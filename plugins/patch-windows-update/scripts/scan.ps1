# Tender patch-windows-update: lists software updates through the Windows Update Agent (COM) as JSON.
# Installed and not-installed updates (hidden ones excluded), with KB ids, MSRC severity, classification and
# product categories, CVE ids, release dates, and whether the host (or an update) waits for a reboot.
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8

function Test-PendingReboot {
  $keys = @(
    'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired',
    'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
  )
  foreach ($key in $keys) { if (Test-Path $key) { return $true } }
  try { return [bool](New-Object -ComObject Microsoft.Update.SystemInfo).RebootRequired } catch { return $false }
}

# LastDeploymentChangeTime is a UTC date (IUpdate's documentation) that COM hands over without a kind, so it is
# labelled UTC, not converted as if it were local time (which would move it by the host's UTC offset). The
# invariant culture keeps ':' as the time separator on every system language.
function ConvertTo-IsoDate($value) {
  if ($null -eq $value) { return $null }
  $utc = [datetime]::SpecifyKind([datetime]$value, [System.DateTimeKind]::Utc)
  return $utc.ToString('yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture)
}

$session = New-Object -ComObject Microsoft.Update.Session
$session.ClientApplicationID = 'tender-agent'
$searcher = $session.CreateUpdateSearcher()
$result = $searcher.Search("IsHidden=0 and Type='Software'")

$updates = @()
foreach ($update in $result.Updates) {
  $categories = @()
  foreach ($category in $update.Categories) {
    $parent = $null
    if ($null -ne $category.Parent) { $parent = $category.Parent.Name }
    $categories += [pscustomobject]@{ Name = $category.Name; Type = $category.Type; Parent = $parent }
  }
  $updates += [pscustomobject]@{
    UpdateId                 = $update.Identity.UpdateID
    RevisionNumber           = $update.Identity.RevisionNumber
    Title                    = $update.Title
    KBArticleIDs             = @($update.KBArticleIDs)
    SecurityBulletinIDs      = @($update.SecurityBulletinIDs)
    CveIDs                   = @($update.CveIDs)
    MsrcSeverity             = $update.MsrcSeverity
    Categories               = $categories
    IsInstalled              = [bool]$update.IsInstalled
    IsDownloaded             = [bool]$update.IsDownloaded
    RebootRequired           = [bool]$update.RebootRequired
    LastDeploymentChangeTime = ConvertTo-IsoDate $update.LastDeploymentChangeTime
  }
}

$os = Get-CimInstance -ClassName Win32_OperatingSystem
[pscustomobject]@{
  ResultCode     = $result.ResultCode
  RebootRequired = Test-PendingReboot
  OsCaption      = $os.Caption
  OsVersion      = $os.Version
  Updates        = $updates
} | ConvertTo-Json -Depth 6 -Compress

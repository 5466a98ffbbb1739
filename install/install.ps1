<#
.SYNOPSIS
  Installs tender-agent on Windows, registers it with a hybrid activation and runs it as a service (WinSW).

.DESCRIPTION
  Run in an elevated PowerShell. Run it again with a newer package to upgrade in place: the instance id and keys
  are kept. Every check (Administrator, Node.js, the package, disk space, the endpoint, the activation) runs
  before anything on the host changes; a failure after that undoes what this run did.

.EXAMPLE
  .\install.ps1 -Package .\tender-agent-0.1.0.tar.gz -Endpoint https://tender.example:8700 -ActivationId ID -ActivationCode CODE -Name web-1

.EXAMPLE
  .\install.ps1 -Uninstall          # keeps the identity in C:\ProgramData\tender-agent
  .\install.ps1 -Uninstall -Purge   # removes it too
#>
[CmdletBinding(DefaultParameterSetName = 'Install')]
param(
  [Parameter(ParameterSetName = 'Install', Mandatory = $true)] [string] $Package,
  [Parameter(ParameterSetName = 'Install')] [string] $Endpoint,
  [Parameter(ParameterSetName = 'Install')] [string] $ActivationId = $env:TENDER_ACTIVATION_ID,
  [Parameter(ParameterSetName = 'Install')] [string] $ActivationCode = $env:TENDER_ACTIVATION_CODE,
  [Parameter(ParameterSetName = 'Install')] [string] $Name,
  [Parameter(ParameterSetName = 'Install')] [string] $Ca,
  [Parameter(ParameterSetName = 'Uninstall', Mandatory = $true)] [switch] $Uninstall,
  [Parameter(ParameterSetName = 'Uninstall')] [switch] $Purge
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$MinNode = [version]'20.19'
$Opt = Join-Path $env:ProgramFiles 'tender-agent'
$State = Join-Path $env:ProgramData 'tender-agent'
$StateMinFreeBytes = 50MB

function Say([string] $Text) { Write-Host "tender-agent install: $Text" }
function Fail([string] $Text, [int] $Code = 1) { [Console]::Error.WriteLine("tender-agent install: error: $Text"); exit $Code }

# Administrator: the service and Program Files need it.
$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  Fail 'run this in an elevated PowerShell (Run as Administrator): it installs a service. Nothing was changed.'
}

$Agent = Join-Path $Opt 'bin\tender-agent.cmd'

if ($Uninstall) {
  if (Test-Path $Agent) {
    & $Agent service uninstall
    Remove-Item -Recurse -Force $Opt, "$Opt.previous" -ErrorAction SilentlyContinue
    Say "removed $Opt"
  } else {
    Say 'tender-agent is not installed'
  }
  if ($Purge) {
    Remove-Item -Recurse -Force $State -ErrorAction SilentlyContinue
    Say "purged the identity and state ($State): this host is forgotten"
  } elseif (Test-Path $State) {
    Say "kept the identity and state in $State (install again to come back as the same instance; -Purge deletes it)"
  }
  exit 0
}

# --- Checks: nothing on the host changes until all of them pass ----------------------------------------------
$node = if ($env:TENDER_AGENT_NODE) { $env:TENDER_AGENT_NODE } else { (Get-Command node.exe -ErrorAction SilentlyContinue).Source }
if (-not $node) { Fail "tender-agent needs Node.js $MinNode or newer, and none was found (install it from nodejs.org, or set TENDER_AGENT_NODE). Nothing was changed." }
$nodeVersion = (& $node -p 'process.versions.node' 2>$null)
if (-not $nodeVersion -or [version]$nodeVersion -lt $MinNode) {
  Fail "tender-agent needs Node.js $MinNode or newer; $node is $(if ($nodeVersion) { $nodeVersion } else { 'not runnable' }). Nothing was changed."
}
$identity = Join-Path $State 'identity.json'
$registered = Test-Path $identity
if (-not $registered -and (-not $ActivationId -or -not $ActivationCode)) {
  Fail '-ActivationId and -ActivationCode are required to register this host (CreateActivation returns them). Nothing was changed.' 2
}
if (-not $registered -and -not $Endpoint) { Fail "-Endpoint is required: the control plane's API URL. Nothing was changed." 2 }
if ($Ca -and -not (Test-Path $Ca)) { Fail "-Ca ${Ca}: no such file. Nothing was changed." }

$work = Join-Path ([IO.Path]::GetTempPath()) ("tender-install-" + [guid]::NewGuid())
New-Item -ItemType Directory $work | Out-Null
try {
  if ($Package -match '^https?://') {
    Say "downloading $Package"
    $file = Join-Path $work 'tender-agent.tar.gz'
    try { Invoke-WebRequest -UseBasicParsing -Uri $Package -OutFile $file } catch { Fail "cannot download ${Package}: $($_.Exception.Message). Nothing was changed." }
    $Package = $file
  } elseif (-not (Test-Path $Package)) {
    Fail "-Package ${Package}: no such file. Nothing was changed."
  }
  if ($Package -notmatch '\.(tar\.gz|tgz)$') { Fail '-Package must be the .tar.gz (the .deb and .rpm are for Linux)' 2 }
  $staged = Join-Path $work 'staged'
  New-Item -ItemType Directory $staged | Out-Null
  tar.exe -xzf $Package -C $staged
  if ($LASTEXITCODE -ne 0) { Fail "$Package is not a readable .tar.gz. Nothing was changed." }
  $stagedAgent = Join-Path $staged 'tender-agent\bin\tender-agent.cmd'
  if (-not (Test-Path $stagedAgent)) { Fail "$Package does not hold tender-agent. Nothing was changed." }
  $newVersion = (Get-Content (Join-Path $staged 'tender-agent\VERSION')).Trim()

  # Room on the state directory's drive.
  $drive = [IO.Path]::GetPathRoot($State)
  $free = (Get-PSDrive -Name $drive.Substring(0, 1)).Free
  if ($free -lt $StateMinFreeBytes) { Fail "only $([math]::Floor($free / 1KB)) KB free on $drive; tender-agent needs $($StateMinFreeBytes / 1KB) KB. Nothing was changed." }

  $env:TENDER_AGENT_NODE = $node
  $createdState = $false
  if ($registered) {
    $instance = (Get-Content $identity -Raw | ConvertFrom-Json).instanceId
    Say "already registered as ${instance}: keeping that identity"
  } else {
    try { Invoke-WebRequest -UseBasicParsing -Uri $Endpoint -Method Get -TimeoutSec 10 | Out-Null }
    catch [System.Net.WebException] { if (-not $_.Exception.Response) { Fail "cannot reach ${Endpoint}: $($_.Exception.Message). The control plane is unreachable (check -Endpoint, the network and the firewall). Nothing was changed." } }
    catch { if (-not ($_.Exception.PSObject.Properties.Name -contains 'Response') -or -not $_.Exception.Response) { Fail "cannot reach ${Endpoint}: $($_.Exception.Message). Nothing was changed." } }
    $createdState = -not (Test-Path $State)
    $registerArgs = @('register', '--endpoint', $Endpoint, '--state-dir', $State, '--json')
    if ($Name) { $registerArgs += @('--name', $Name) }
    if ($Ca) { $registerArgs += @('--ca', $Ca) }
    $env:TENDER_ACTIVATION_ID = $ActivationId
    $env:TENDER_ACTIVATION_CODE = $ActivationCode
    $out = & $stagedAgent @registerArgs
    $code = $LASTEXITCODE
    Remove-Item Env:TENDER_ACTIVATION_CODE
    if ($code -ne 0) {
      if ($createdState) { Remove-Item -Recurse -Force $State -ErrorAction SilentlyContinue }
      Fail 'registration failed (see above: an expired or used-up activation, a wrong id or code?). Nothing was changed.'
    }
    $instance = ($out | ConvertFrom-Json).instanceId
    Say "registered as $instance (identity in $State)"
  }

  # Install: the new tree beside the old one, which stays as .previous until the new one has started.
  Remove-Item -Recurse -Force "$Opt.new", "$Opt.previous" -ErrorAction SilentlyContinue
  Copy-Item -Recurse (Join-Path $staged 'tender-agent') "$Opt.new"
  if (Test-Path $Opt) {
    if (Test-Path $Agent) { & $Agent service stop | Out-Null }
    Move-Item $Opt "$Opt.previous"
  }
  Move-Item "$Opt.new" $Opt
  Say "installed tender-agent $newVersion in $Opt"

  & $Agent service install
  if ($LASTEXITCODE -ne 0) {
    if (Test-Path "$Opt.previous") {
      Remove-Item -Recurse -Force $Opt
      Move-Item "$Opt.previous" $Opt
      & $Agent service install | Out-Null
      Fail "tender-agent $newVersion did not start; went back to $((Get-Content (Join-Path $Opt 'VERSION')).Trim())"
    }
    Fail 'the service did not start (see above); the agent is installed and registered: fix the cause, then run: tender-agent service install'
  }
  Remove-Item -Recurse -Force "$Opt.previous" -ErrorAction SilentlyContinue
  Say "done: instance $instance runs tender-agent $newVersion as the tender-agent service. Status: tender-agent service status; logs: $State\logs"
} finally {
  Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

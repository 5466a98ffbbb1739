# Tender patch-windows-update: downloads and installs the updates named by UpdateID through the Windows Update
# Agent, and reports each one's result code and HRESULT, and whether the host must reboot, as JSON.
param([Parameter(Mandatory = $true)][string]$UpdateIds)
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8

$session = New-Object -ComObject Microsoft.Update.Session
$session.ClientApplicationID = 'tender-agent'
$searcher = $session.CreateUpdateSearcher()
$wanted = New-Object -ComObject Microsoft.Update.UpdateColl
$missing = @()
foreach ($id in ($UpdateIds -split ',')) {
  $found = $searcher.Search("UpdateID='$id'")
  if ($found.Updates.Count -eq 0) { $missing += $id; continue }
  $update = $found.Updates.Item(0)
  if (-not $update.EulaAccepted) { $update.AcceptEula() }
  [void]$wanted.Add($update)
}

$results = @()
foreach ($id in $missing) {
  $results += [pscustomobject]@{ UpdateId = $id; KBArticleIDs = @(); ResultCode = 4; HResult = -2145124329; RebootRequired = $false }
}
$rebootRequired = $false
if ($wanted.Count -gt 0) {
  $downloader = $session.CreateUpdateDownloader()
  $downloader.Updates = $wanted
  [void]$downloader.Download()
  $installer = $session.CreateUpdateInstaller()
  $installer.Updates = $wanted
  $installation = $installer.Install()
  $rebootRequired = [bool]$installation.RebootRequired
  for ($i = 0; $i -lt $wanted.Count; $i++) {
    $one = $installation.GetUpdateResult($i)
    $results += [pscustomobject]@{
      UpdateId       = $wanted.Item($i).Identity.UpdateID
      KBArticleIDs   = @($wanted.Item($i).KBArticleIDs)
      ResultCode     = $one.ResultCode
      HResult        = $one.HResult
      RebootRequired = [bool]$one.RebootRequired
    }
  }
}
[pscustomobject]@{ RebootRequired = $rebootRequired; Results = $results } | ConvertTo-Json -Depth 4 -Compress

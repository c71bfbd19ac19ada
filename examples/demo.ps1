#Requires -Version 7.4
<#
.SYNOPSIS
    SocketDispatcher's main job, end to end: seed 001's conversation at scale on seed 000's architecture.

.DESCRIPTION
    1. Makes development certificates (New-SdCertificate) in a temporary folder.
    2. Starts `sd listen` on TLS (a free port on 127.0.0.1) with two dispatcher processes.
    3. Runs -Clients clients at once (-Concurrency at a time), each verifying the server against the
       generated CA and going through HI, DAD/CLIMB, TOP/WHO, MOM/BYE with the module's cmdlets.
    4. Stops everything with a scripted QUIT (Send-SdMessage to the control endpoint).
    5. Prints connections per dispatcher pid, messages exchanged and the time taken.
    Exits 0 only if every conversation completed and no process or socket file is left.

.EXAMPLE
    dotnet pwsh ./build.ps1 Demo
#>
[CmdletBinding()]
param(
    # How many client conversations to run.
    [ValidateRange(1, 100000)]
    [int] $Clients = 240,

    # How many conversations run at the same time.
    [ValidateRange(1, 1024)]
    [int] $Concurrency = 32,

    # The module to use; by default the one build.ps1 made.
    [string] $ModulePath = (Join-Path $PSScriptRoot '../artifacts/SocketDispatcher/SocketDispatcher.psd1')
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$sd = Join-Path (Split-Path -Parent (Resolve-Path $ModulePath)) 'sd'
$work = Join-Path ([System.IO.Path]::GetTempPath()) "sd-demo-$PID"
$runtime = Join-Path $work 'run'
$control = "unix:$runtime/control.sock"
$listener = $null
$ok = $false

function Wait-Until([scriptblock] $Condition, [string] $What, [double] $Seconds = 30) {
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while (-not ($value = & $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "demo: timed out after $Seconds s waiting until $What" }
        Start-Sleep -Milliseconds 50
    }
    $value
}


try {
    $null = New-Item -ItemType Directory -Path $work -Force
    Write-Host "==> certificates in $work/certs"
    $certs = New-SdCertificate -Path (Join-Path $work 'certs')

    Write-Host '==> sd listen on tls://127.0.0.1 (free port) with 2 dispatchers'
    $info = [System.Diagnostics.ProcessStartInfo]::new($sd)
    foreach ($a in 'listen', '--endpoint', 'tls://127.0.0.1:0', '--dispatchers', '2', '--cert', $certs.ServerCertificate,
        '--key', $certs.ServerKey, '--runtime-dir', $runtime, '--name', 'demo') { $info.ArgumentList.Add($a) }
    $info.RedirectStandardError = $true
    $listener = [System.Diagnostics.Process]::Start($info)
    $log = $listener.StandardError.ReadToEndAsync()
    $status = Wait-Until -What 'two dispatchers are ready' -Condition {
        if (-not (Test-Path "$runtime/control.sock")) { return $null }
        $s = Get-SdListener -Control $control
        if (@($s.Dispatchers | Where-Object State -EQ 'ready').Count -eq 2) { $s }
    }
    $endpoint = $status.Endpoints[0].ToString()
    Write-Host "==> $Clients clients, $Concurrency at a time, on $endpoint"

    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $results = 1..$Clients | ForEach-Object -ThrottleLimit $Concurrency -Parallel {
        $ErrorActionPreference = 'Stop'
        Import-Module $using:ModulePath
        $timeout = [TimeSpan]::FromSeconds(10)
        $client = $null
        try {
            $client = Connect-SdClient -Endpoint $using:endpoint -CertificateAuthority $using:certs.CertificateAuthority
            $steps = 0
            $expect = { param($command) $m = Receive-SdMessage -Client $client -Timeout $timeout; if ($m.Command -ne $command) { throw "expected $command, got $m" } }
            & $expect 'HI'
            foreach ($step in @(@('DAD', 'CLIMB'), @('TOP', 'WHO'), @('MOM', 'BYE'))) {
                Send-SdMessage -Client $client -Command $step[0]
                & $expect $step[1]
                $steps++
            }
            [pscustomobject]@{ Client = $_; Completed = $steps -eq 3; Messages = 1 + 2 * $steps; Error = $null }
        }
        catch {
            [pscustomobject]@{ Client = $_; Completed = $false; Messages = 0; Error = "$_" }
        }
        finally {
            if ($client) { Disconnect-SdClient -Client $client }
        }
    } | ForEach-Object -Begin { $done = 0 } -Process {
        # The wave takes a while: show how far it got.
        $done++
        Write-Progress -Activity "Conversations on $endpoint" -Status "$done of $Clients" -PercentComplete (100 * $done / $Clients)
        $_
    } -End { Write-Progress -Activity "Conversations on $endpoint" -Completed }
    $clock.Stop()
    $status = Get-SdListener -Control $control

    Write-Host '==> QUIT (Send-SdMessage to the control endpoint)'
    Send-SdMessage -Endpoint $control -Command QUIT
    if (-not $listener.WaitForExit(30000)) { throw "demo: the listener (pid $($listener.Id)) did not stop within 30 s after QUIT" }
    $leftProcesses = @($status.Dispatchers | Where-Object { Test-Path "/proc/$($_.ProcessId)" })
    $leftFiles = @(Get-ChildItem -Path $runtime -ErrorAction Ignore)

    $completed = @($results | Where-Object Completed).Count
    $messages = ($results | Measure-Object Messages -Sum).Sum
    $status.Dispatchers | Select-Object @{ n = 'Dispatcher pid'; e = { $_.ProcessId } }, @{ n = 'Connections'; e = { $_.Handed } } | Format-Table -AutoSize | Out-Host
    [pscustomobject]@{
        Conversations     = "$completed of $Clients"
        Messages          = $messages
        'Elapsed (s)'     = [Math]::Round($clock.Elapsed.TotalSeconds, 2)
        'Conversations/s' = [Math]::Round($completed / $clock.Elapsed.TotalSeconds, 1)
        'Listener exit'   = $listener.ExitCode
        'Processes left'  = $leftProcesses.Count
        'Socket files left' = $leftFiles.Count
    } | Format-List | Out-Host
    $results | Where-Object { -not $_.Completed } | Select-Object -First 5 | ForEach-Object { Write-Warning "client $($_.Client): $($_.Error)" }
    $ok = $completed -eq $Clients -and $listener.ExitCode -eq 0 -and $leftProcesses.Count -eq 0 -and $leftFiles.Count -eq 0 -and
        @($status.Dispatchers | Where-Object Handed -GT 0).Count -eq 2
}
finally {
    if ($listener -and -not $listener.HasExited) { $listener.Kill($true); $null = $listener.WaitForExit(5000) }
    if (-not $ok -and $listener) { Write-Host "--- listener log ---`n$($log.Result)" }
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}
if ($ok) { Write-Host 'demo: every conversation completed; nothing left behind.'; exit 0 }
Write-Host 'demo: FAILED'
exit 1

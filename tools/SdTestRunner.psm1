# The test runner of build.ps1's Test task: the xunit suite through its trx report, and every Pester
# file in a fresh `dotnet pwsh` process of its own (a loaded binary module cannot be unloaded), a
# few at a time, each killed with its process tree when it runs too long. Each suite is counted as
# passed, failed and skipped; Write-TestSummary prints the closing `tests: N passed, M failed` line
# that .ci/run relies on, and gives the exit code.

Set-StrictMode -Version Latest
# A module does not see the preferences of the script that imports it: set them here.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$PSNativeCommandUseErrorActionPreference = $false

Import-Module (Join-Path $PSScriptRoot 'SdBuild.psm1')

# Runs one Pester file and writes its counts; started in a fresh process for each file.
$PesterFileRunner = Join-Path $PSScriptRoot 'Invoke-PesterFile.ps1'

function New-SuiteResult([string] $Name) {
    [pscustomobject]@{
        Name     = $Name
        Passed   = 0
        Failed   = 0
        Skipped  = 0
        Problems = [System.Collections.Generic.List[string]]::new()
    }
}

function Invoke-UnitTests([string] $RepoRoot, [string] $Configuration, [string] $TestResultsRoot) {
    $suite = New-SuiteResult 'xunit'
    $resultsDir = Join-Path $TestResultsRoot 'unit'
    $trxName = 'SocketDispatcher.Tests.trx'
    Write-Step 'Test: xunit (tests/Unit)'
    $code = Invoke-Native -AllowFailure dotnet @(
        'test', (Join-Path $RepoRoot 'tests/Unit/SocketDispatcher.Tests.csproj'), '-c', $Configuration,
        '--nologo', '--results-directory', $resultsDir, '--logger', "trx;LogFileName=$trxName"
    )
    $trxPath = Join-Path $resultsDir $trxName
    if (-not (Test-Path $trxPath)) {
        $suite.Failed++
        $suite.Problems.Add("xunit: dotnet test exited with $code and wrote no $trxName (did the build fail?)")
        return $suite
    }
    [xml] $trx = Get-Content -Raw -Path $trxPath
    $counters = $trx.TestRun.ResultSummary.Counters
    function Get-Counter([string] $Name) {
        $value = $counters.GetAttribute($Name)
        if ($value) { [int] $value } else { 0 }
    }
    $suite.Passed = Get-Counter 'passed'
    $suite.Failed = (Get-Counter 'failed') + (Get-Counter 'error') + (Get-Counter 'timeout') + (Get-Counter 'aborted')
    $suite.Skipped = (Get-Counter 'notExecuted') + (Get-Counter 'inconclusive')
    if ($suite.Failed -gt 0) {
        $suite.Problems.Add("xunit: $($suite.Failed) test(s) failed, see $trxPath")
    }
    elseif ($code -ne 0) {
        # A test host crash can leave a trx without a failed test; the exit code still tells.
        $suite.Failed++
        $suite.Problems.Add("xunit: dotnet test exited with $code although the trx has no failed test, see $trxPath")
    }
    $suite
}

function Get-PesterModulePath([string] $RepoRoot) {
    $csproj = Join-Path $RepoRoot 'tests/Pester/Pester.csproj'
    Invoke-Native dotnet @('restore', $csproj, '--nologo')
    [xml] $project = Get-Content -Raw -Path $csproj
    $download = @($project.Project.ItemGroup.PackageDownload | Where-Object Include -EQ 'Pester')[0]
    $version = $download.Version.Trim('[', ']', ' ')
    $globalLine = Get-NativeOutput dotnet @('nuget', 'locals', 'global-packages', '--list') |
        Where-Object { $_ -match '^global-packages:\s*(.+)$' } |
        Select-Object -First 1
    if (-not $globalLine) { throw 'Could not read the NuGet global-packages folder from "dotnet nuget locals".' }
    $null = $globalLine -match '^global-packages:\s*(.+)$'
    $path = Join-Path $Matches[1].Trim() "pester/$version/tools/Pester.psd1"
    if (-not (Test-Path $path)) { throw "Pester $version is not at $path after restoring $csproj." }
    $path
}

# Starts `dotnet pwsh` on the runner script for one Pester file, with its output going straight to
# files (redirected by the shell, so nothing is buffered in this process). Its working directory is
# $RepoRoot, where dotnet finds the tool manifest that pins pwsh.
function Start-PesterFile([System.IO.FileInfo] $File, [string] $PesterModule, [string] $RepoRoot, [string] $TestResultsRoot) {
    $base = Join-Path $TestResultsRoot "pester/$($File.BaseName)"
    $run = [pscustomobject]@{
        File       = $File
        OutPath    = "$base.out.txt"
        ErrPath    = "$base.err.txt"
        CountsPath = "$base.counts.json"
        XmlPath    = "$base.nunit.xml"
        Process    = $null
        Stopwatch  = [System.Diagnostics.Stopwatch]::StartNew()
        TimedOut   = $false
    }
    $info = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    $info.WorkingDirectory = $RepoRoot
    $info.UseShellExecute = $false
    foreach ($a in @(
            '-c', 'out=$1; err=$2; shift 2; exec "$@" <"/dev/null" >"$out" 2>"$err"', 'sh',
            $run.OutPath, $run.ErrPath,
            'dotnet', 'pwsh', '-NoProfile', '-NonInteractive',
            '-File', $PesterFileRunner,
            '-Path', $File.FullName, '-PesterModule', $PesterModule,
            '-CountsPath', $run.CountsPath, '-TestResultPath', $run.XmlPath)) {
        $info.ArgumentList.Add($a)
    }
    $run.Process = [System.Diagnostics.Process]::Start($info)
    $run
}

# Prints the output of a finished run and adds its counts to $Suite; a run that timed out, crashed
# or wrote no numbers counts as one failure, so that it can never pass unseen.
function Complete-PesterFile($Run, $Suite, [int] $TimeoutSeconds) {
    $name = $Run.File.Name
    $exitCode = $Run.Process.ExitCode
    $seconds = $Run.Stopwatch.Elapsed.TotalSeconds
    Write-Host ''
    Write-Host ('---- {0} (exit {1}, {2:N1} s) ----' -f $name, $exitCode, $seconds)
    if (Test-Path $Run.OutPath) { Get-Content -Path $Run.OutPath | Out-Host }
    if ((Test-Path $Run.ErrPath) -and (Get-Item $Run.ErrPath).Length -gt 0) {
        Write-Host "---- $name standard error ----"
        Get-Content -Path $Run.ErrPath | Out-Host
    }
    if ($Run.TimedOut) {
        $Suite.Failed++
        $Suite.Problems.Add("pester: $name timed out after $TimeoutSeconds s; its process tree was killed")
        return
    }
    if (-not (Test-Path $Run.CountsPath)) {
        $Suite.Failed++
        $Suite.Problems.Add("pester: $name crashed (exit $exitCode) before writing its counts")
        return
    }
    $counts = Get-Content -Raw -Path $Run.CountsPath | ConvertFrom-Json
    if ($null -eq $counts.Passed -or $null -eq $counts.Failed) {
        $Suite.Failed++
        $Suite.Problems.Add("pester: $name wrote counts without numbers (exit $exitCode): the run did not complete")
        return
    }
    # A failed BeforeAll also fails every test of its block: count a failed block only when no
    # test failed with it (an AfterAll, for example), so that one fault is not counted twice.
    $failed = $counts.Failed + $counts.FailedContainers + $(if ($counts.Failed -eq 0) { $counts.FailedBlocks } else { 0 })
    $Suite.Passed += $counts.Passed
    $Suite.Failed += $failed
    $Suite.Skipped += $counts.Skipped + $counts.NotRun + $counts.Inconclusive
    Write-Host ('     {0}: passed {1}, failed {2}, skipped {3}' -f $name, $counts.Passed, $failed,
        ($counts.Skipped + $counts.NotRun + $counts.Inconclusive))
    if ($failed -gt 0) {
        $Suite.Problems.Add("pester: $name has $($counts.Failed) failed test(s), $($counts.FailedBlocks) failed block(s), $($counts.FailedContainers) failed container(s)")
    }
    elseif ($exitCode -ne 0) {
        $Suite.Failed++
        $Suite.Problems.Add("pester: $name runner exited with $exitCode although no test failed")
    }
}

# Runs tests/Pester/*.Tests.ps1 (those whose name contains one of $Filter, when given), $Throttle
# at a time, and returns their suite result.
function Invoke-PesterTests {
    param(
        [Parameter(Mandatory)] [string] $RepoRoot,
        [Parameter(Mandatory)] [string] $TestResultsRoot,
        [string[]] $Filter,
        [int] $Throttle = 2,
        [int] $TimeoutSeconds = 300
    )
    $suite = New-SuiteResult 'pester'
    $files = @(Get-ChildItem -Path (Join-Path $RepoRoot 'tests/Pester') -Filter '*.Tests.ps1' -File | Sort-Object Name)
    if ($Filter) {
        $files = @($files | Where-Object { $n = $_.Name; $Filter | Where-Object { $n -like "*$_*" } })
    }
    Write-Step "Test: Pester ($($files.Count) file(s), $Throttle at a time, $TimeoutSeconds s each)"
    if ($files.Count -eq 0) { return $suite }
    $pesterModule = Get-PesterModulePath $RepoRoot
    $null = New-Item -ItemType Directory -Path (Join-Path $TestResultsRoot 'pester') -Force

    $queue = [System.Collections.Generic.Queue[System.IO.FileInfo]]::new([System.IO.FileInfo[]] $files)
    $running = [System.Collections.Generic.List[object]]::new()
    while ($queue.Count -gt 0 -or $running.Count -gt 0) {
        while ($queue.Count -gt 0 -and $running.Count -lt $Throttle) {
            $running.Add((Start-PesterFile -File $queue.Dequeue() -PesterModule $pesterModule -RepoRoot $RepoRoot -TestResultsRoot $TestResultsRoot))
        }
        # Wait on the oldest run for a short while, then look at all of them.
        $null = $running[0].Process.WaitForExit(250)
        foreach ($run in @($running)) {
            if (-not $run.Process.HasExited -and $run.Stopwatch.Elapsed.TotalSeconds -ge $TimeoutSeconds) {
                $run.TimedOut = $true
                Write-Host "!! $($run.File.Name) still runs after $TimeoutSeconds s: killing its process tree (pid $($run.Process.Id))"
                $run.Process.Kill($true)
                if (-not $run.Process.WaitForExit(30000)) {
                    throw "$($run.File.Name): pid $($run.Process.Id) did not exit within 30 s of being killed."
                }
            }
            if ($run.Process.HasExited) {
                # The parameterless wait also waits for the exit code to be collected.
                $run.Process.WaitForExit()
                $null = $running.Remove($run)
                Complete-PesterFile -Run $run -Suite $suite -TimeoutSeconds $TimeoutSeconds
            }
        }
    }
    $suite
}

# Prints the summary of the suites, ending with `tests: N passed, M failed` (the last line, which
# .ci/run relies on), and returns the exit code: 1 when a test failed or none passed, else 0.
function Write-TestSummary([object[]] $Suites) {
    $passed = ($Suites | Measure-Object -Property Passed -Sum).Sum
    $failed = ($Suites | Measure-Object -Property Failed -Sum).Sum
    $skipped = ($Suites | Measure-Object -Property Skipped -Sum).Sum
    Write-Host ''
    Write-Host 'Summary'
    foreach ($suite in $Suites) {
        Write-Host ('  suite {0,-8} passed {1,5}   failed {2,5}   skipped {3,5}' -f $suite.Name, $suite.Passed, $suite.Failed, $suite.Skipped)
    }
    foreach ($suite in $Suites) {
        foreach ($problem in $suite.Problems) { Write-Host "  FAILED $problem" }
    }
    if ($passed + $failed -eq 0) { Write-Host '  FAILED no test ran' }
    Write-Host "skipped: $skipped (not counted as passed)"
    Write-Host "tests: $passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { 1 } else { 0 }
}

Export-ModuleMember -Function New-SuiteResult, Invoke-UnitTests, Invoke-PesterTests, Write-TestSummary

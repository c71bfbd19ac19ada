#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and runs SocketDispatcher.

.DESCRIPTION
    Tasks:
      Build  (default) restore and publish the module and the `sd` binary into one flat folder,
             artifacts/SocketDispatcher/, then copy the manifest, format file and about topic next to
             them and write en-US/SocketDispatcher.dll-Help.xml from docs/cmdlets/*.md
             (tools/Build-Help.ps1).
             Skipped when no input changed since the last successful build (use -Force to redo it).
      Test   Build, then run the xunit tests and every tests/Pester/*.Tests.ps1 file, each file in
             its own fresh `dotnet pwsh` process. The last line printed is `tests: N passed, M failed`.
      Demo   Build, then run examples/demo.ps1 in a fresh `dotnet pwsh`; its exit code is passed on.
      Bench  Build, install the benchmark's Debian packages when root (gcc, libssl-dev, nodejs,
             redis-server, redis-tools), then run bench/SocketDispatcher.Bench: sd against a C
             reference, a Node.js cluster and redis, written to docs/performance.md (between the
             bench:handoff markers). About 10 minutes; -Quick for a one-round smoke run. It measures
             and exits 0 whatever the figures; it is not part of Test.
      Clean  Remove artifacts/, every bin/ and obj/ folder and the test results.

    Run it as `dotnet tool restore && dotnet pwsh ./build.ps1 <Task>` so that the pinned PowerShell
    (dotnet-tools.json) is used.

.EXAMPLE
    dotnet pwsh ./build.ps1 Test -PesterFile Module

.EXAMPLE
    dotnet pwsh ./build.ps1 Bench -Quick -Note 'quick run on a busy machine'
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Clean')]
    [string] $Task = 'Build',

    # Publish again even if no input changed.
    [switch] $Force,

    # Only run the Pester files whose name contains one of these strings (Test task).
    [string[]] $PesterFile,

    # A Pester file still running after this many seconds is killed (with its process tree) and
    # counted as a failure.
    [ValidateRange(10, 3600)]
    [int] $PesterTimeoutSeconds = 300,

    # How many Pester files run at once. The machines have 2 cores.
    [ValidateRange(1, 8)]
    [int] $PesterThrottle = 2,

    # Skip the xunit suite (Test task), for a quicker loop on the Pester files.
    [switch] $SkipUnit,

    # Bench task: one round with short windows, to prove the harness end to end.
    [switch] $Quick,

    # Bench task: a note for the top of the report, e.g. 'quick run on a busy machine'.
    [string] $Note,

    # Bench task: more options for bench/SocketDispatcher.Bench, one string each, e.g. from
    # PowerShell: -BenchArgs '--section', 'handoff', '--rounds', '5'.
    [string[]] $BenchArgs
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
# Exit codes of native commands are checked explicitly below, each with a message that names the command.
$PSNativeCommandUseErrorActionPreference = $false

$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
if ($env:CI -or $env:NO_COLOR) {
    $PSStyle.OutputRendering = 'PlainText'
    $env:NO_COLOR = '1'
}

$Configuration = 'Release'
$RuntimeId = 'linux-x64'
$RepoRoot = $PSScriptRoot
$ArtifactsRoot = Join-Path $RepoRoot 'artifacts'
$ModuleOutput = Join-Path $ArtifactsRoot 'SocketDispatcher'
$ModuleSource = Join-Path $RepoRoot 'module/SocketDispatcher'
$BuildStampPath = Join-Path $ArtifactsRoot 'build-inputs.sha256'
$TestResultsRoot = Join-Path $ArtifactsRoot 'TestResults'
$PublishedProjects = @(
    'src/SocketDispatcher.PowerShell/SocketDispatcher.PowerShell.csproj'
    'src/SocketDispatcher.Cli/SocketDispatcher.Cli.csproj'
)
# What a deployable module folder must hold. Native libraries must sit next to the assemblies:
# a binary module does not probe runtimes/<rid>/native/.
$RequiredModuleFiles = @(
    'SocketDispatcher.psd1'
    'SocketDispatcher.Format.ps1xml'
    'SocketDispatcher.dll'
    'SocketDispatcher.Core.dll'
    'sd'
    'sd.dll'
    'en-US/SocketDispatcher.dll-Help.xml'
    'en-US/about_SocketDispatcher.help.txt'
)
# Debian packages the benchmark needs, by the command or file each one provides: a C compiler
# and OpenSSL headers for the reference and the load generator, and the peers it compares with.
$BenchToolPackages = [ordered]@{
    'cc'                          = 'gcc'
    '/usr/include/openssl/ssl.h'  = 'libssl-dev'
    'node'                        = 'nodejs'
    'redis-server'                = 'redis-server'
    'redis-benchmark'             = 'redis-tools'
}
# Debian packages that give the end-to-end tests real peers, by the command each one provides.
$TestToolPackages = [ordered]@{
    openssl   = 'openssl'
    socat     = 'socat'
    strace    = 'strace'
    logrotate = 'logrotate'
}

function Write-Step([string] $Text) {
    Write-Host "==> $Text"
}

function Format-CommandLine([string] $FilePath, [string[]] $ArgumentList) {
    $quoted = foreach ($a in @($FilePath) + $ArgumentList) {
        if ($a -match '[\s"'']') { "'" + ($a -replace "'", "''") + "'" } else { $a }
    }
    $quoted -join ' '
}

# Runs a native command with its output on the console; throws when it exits non-zero, unless
# -AllowFailure, in which case the exit code is returned.
function Invoke-Native {
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [switch] $AllowFailure
    )
    $line = Format-CommandLine $FilePath $ArgumentList
    Write-Host "> $line"
    & $FilePath @ArgumentList | Out-Host
    $code = $LASTEXITCODE
    if ($AllowFailure) { return $code }
    if ($code -ne 0) { throw "'$line' failed with exit code $code." }
}

# Runs a native command and returns its standard output lines; throws when it exits non-zero.
function Get-NativeOutput {
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @()
    )
    $output = & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$(Format-CommandLine $FilePath $ArgumentList)' failed with exit code $LASTEXITCODE."
    }
    $output
}

# A fingerprint of everything the published folder is made from: paths, sizes and write times of
# the sources (bin/ and obj/ excluded), the module files, the shared MSBuild files and this script.
function Get-BuildInputHash {
    $files = [System.Collections.Generic.List[System.IO.FileInfo]]::new()
    foreach ($folder in 'src', 'module', 'docs/cmdlets', 'tools') {
        $root = Join-Path $RepoRoot $folder
        if (Test-Path $root) {
            Get-ChildItem -Path $root -Recurse -File -Force |
                Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' } |
                ForEach-Object { $files.Add($_) }
        }
    }
    foreach ($name in 'Directory.Build.props', 'Directory.Build.targets', 'Directory.Packages.props',
        'global.json', 'NuGet.config', 'nuget.config', 'build.ps1') {
        $path = Join-Path $RepoRoot $name
        if (Test-Path $path -PathType Leaf) { $files.Add((Get-Item $path)) }
    }
    $lines = $files |
        ForEach-Object {
            '{0}|{1}|{2}' -f [System.IO.Path]::GetRelativePath($RepoRoot, $_.FullName), $_.Length, $_.LastWriteTimeUtc.Ticks
        } |
        Sort-Object -CaseSensitive
    $bytes = [System.Text.Encoding]::UTF8.GetBytes(($lines -join "`n"))
    [System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($bytes))
}

function Get-MissingModuleFiles {
    foreach ($name in $RequiredModuleFiles) {
        if (-not (Test-Path (Join-Path $ModuleOutput $name) -PathType Leaf)) { $name }
    }
}

function Assert-ModuleFolder {
    $missing = @(Get-MissingModuleFiles)
    if ($missing.Count -gt 0) {
        throw "The module folder $ModuleOutput lacks: $($missing -join ', ')."
    }
    if (Test-Path (Join-Path $ModuleOutput 'runtimes')) {
        throw "The module folder $ModuleOutput has a runtimes/ subfolder: publish with -r $RuntimeId so that native libraries land next to the assemblies."
    }
    $sd = Get-Item (Join-Path $ModuleOutput 'sd')
    if (-not ($sd.UnixFileMode -band [System.IO.UnixFileMode]::UserExecute)) {
        throw "$($sd.FullName) is not executable."
    }
    $manifest = Import-PowerShellDataFile -Path (Join-Path $ModuleOutput 'SocketDispatcher.psd1')
    if ($manifest.RootModule -ne 'SocketDispatcher.dll') {
        throw "The manifest's RootModule is '$($manifest.RootModule)', expected 'SocketDispatcher.dll'."
    }
}

function Invoke-BuildTask {
    $inputHash = Get-BuildInputHash
    $previousHash = if (Test-Path $BuildStampPath) { (Get-Content -Raw $BuildStampPath).Trim() } else { '' }
    if (-not $Force -and $inputHash -eq $previousHash -and @(Get-MissingModuleFiles).Count -eq 0) {
        Assert-ModuleFolder
        Write-Step "Build: up to date ($ModuleOutput)"
        return
    }

    Write-Step 'Build: restore'
    # Publishing both projects into one emptied folder leaves no stale file from an earlier layout.
    Remove-Item $BuildStampPath -Force -ErrorAction Ignore
    if (Test-Path $ModuleOutput) { Remove-Item $ModuleOutput -Recurse -Force }
    foreach ($project in $PublishedProjects) {
        Invoke-Native dotnet @('restore', (Join-Path $RepoRoot $project), '-r', $RuntimeId, '--nologo')
    }

    Write-Step "Build: publish ($Configuration, $RuntimeId) into $ModuleOutput"
    foreach ($project in $PublishedProjects) {
        Invoke-Native dotnet @(
            'publish', (Join-Path $RepoRoot $project), '-c', $Configuration, '-r', $RuntimeId,
            '--self-contained', 'false', '--no-restore', '--nologo', '-o', $ModuleOutput
        )
    }

    Write-Step 'Build: copy the module files'
    Copy-Item -Path (Join-Path $ModuleSource '*') -Destination $ModuleOutput -Recurse -Force

    # In a process of its own: it imports the module it just built to read the cmdlets' parameters.
    Write-Step 'Build: help from docs/cmdlets'
    Push-Location $RepoRoot # where dotnet finds the tool manifest that pins pwsh
    try {
        Invoke-Native dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'tools/Build-Help.ps1'), '-ModuleFolder', $ModuleOutput)
    }
    finally {
        Pop-Location
    }

    Assert-ModuleFolder
    Set-Content -Path $BuildStampPath -Value $inputHash -NoNewline
    Write-Step "Build: done ($ModuleOutput)"
}

function Test-IsRoot {
    (Get-NativeOutput id @('-u')) -eq '0'
}

# Installs Debian packages for a task, quietly; throws with the command to run when not root.
# $Purpose begins that error message: "The tests need", "The benchmark needs".
function Install-DebianPackages([string] $Purpose, [string[]] $Packages) {
    if (-not (Test-IsRoot)) {
        throw "$Purpose these Debian packages: $($Packages -join ' '). Install them with: sudo apt-get install -y $($Packages -join ' ')"
    }
    Write-Step "installing $($Packages -join ' ')"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    foreach ($arguments in @(@('update', '-qq'), @(@('install', '-y', '-qq', '--no-install-recommends') + $Packages))) {
        # dpkg's progress lines drown the task's output: show them only when something went wrong.
        $output = & apt-get @arguments 2>&1
        if ($LASTEXITCODE -ne 0) {
            $output | Out-Host
            throw "'apt-get $($arguments -join ' ')' failed with exit code $LASTEXITCODE."
        }
    }
}

function Assert-TestTools {
    $missing = @(foreach ($command in $TestToolPackages.Keys) {
            # logrotate lives in /usr/sbin, which is not on every user's PATH.
            if (-not (Get-Command $command -CommandType Application -ErrorAction Ignore) -and
                -not (Test-Path "/usr/sbin/$command")) {
                $TestToolPackages[$command]
            }
        })
    if ($missing.Count -eq 0) { return }
    Install-DebianPackages 'The tests need' $missing
}

function Assert-BenchTools {
    $missing = @(foreach ($need in $BenchToolPackages.Keys) {
            $present = if ($need.StartsWith('/')) { Test-Path $need -PathType Leaf } else { [bool](Get-Command $need -CommandType Application -ErrorAction Ignore) }
            if (-not $present) { $BenchToolPackages[$need] }
        })
    if ($missing.Count -eq 0) { return }
    Install-DebianPackages 'The benchmark needs' $missing
}

function New-SuiteResult([string] $Name) {
    [pscustomobject]@{
        Name     = $Name
        Passed   = 0
        Failed   = 0
        Skipped  = 0
        Problems = [System.Collections.Generic.List[string]]::new()
    }
}

function Invoke-UnitTests {
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

function Get-PesterModulePath {
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
# files (redirected by the shell, so nothing is buffered in this process).
function Start-PesterFile([System.IO.FileInfo] $File, [string] $PesterModule) {
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
            '-File', (Join-Path $RepoRoot 'tests/Pester/Invoke-PesterFile.ps1'),
            '-Path', $File.FullName, '-PesterModule', $PesterModule,
            '-CountsPath', $run.CountsPath, '-TestResultPath', $run.XmlPath)) {
        $info.ArgumentList.Add($a)
    }
    $run.Process = [System.Diagnostics.Process]::Start($info)
    $run
}

function Complete-PesterFile($Run, $Suite) {
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
        $Suite.Problems.Add("pester: $name timed out after $PesterTimeoutSeconds s; its process tree was killed")
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

function Invoke-PesterTests {
    $suite = New-SuiteResult 'pester'
    $files = @(Get-ChildItem -Path (Join-Path $RepoRoot 'tests/Pester') -Filter '*.Tests.ps1' -File | Sort-Object Name)
    if ($PesterFile) {
        $files = @($files | Where-Object { $n = $_.Name; $PesterFile | Where-Object { $n -like "*$_*" } })
    }
    Write-Step "Test: Pester ($($files.Count) file(s), $PesterThrottle at a time, $PesterTimeoutSeconds s each)"
    if ($files.Count -eq 0) { return $suite }
    $pesterModule = Get-PesterModulePath
    $null = New-Item -ItemType Directory -Path (Join-Path $TestResultsRoot 'pester') -Force

    $queue = [System.Collections.Generic.Queue[System.IO.FileInfo]]::new([System.IO.FileInfo[]] $files)
    $running = [System.Collections.Generic.List[object]]::new()
    while ($queue.Count -gt 0 -or $running.Count -gt 0) {
        while ($queue.Count -gt 0 -and $running.Count -lt $PesterThrottle) {
            $running.Add((Start-PesterFile -File $queue.Dequeue() -PesterModule $pesterModule))
        }
        # Wait on the oldest run for a short while, then look at all of them.
        $null = $running[0].Process.WaitForExit(250)
        foreach ($run in @($running)) {
            if (-not $run.Process.HasExited -and $run.Stopwatch.Elapsed.TotalSeconds -ge $PesterTimeoutSeconds) {
                $run.TimedOut = $true
                Write-Host "!! $($run.File.Name) still runs after $PesterTimeoutSeconds s: killing its process tree (pid $($run.Process.Id))"
                $run.Process.Kill($true)
                if (-not $run.Process.WaitForExit(30000)) {
                    throw "$($run.File.Name): pid $($run.Process.Id) did not exit within 30 s of being killed."
                }
            }
            if ($run.Process.HasExited) {
                # The parameterless wait also waits for the exit code to be collected.
                $run.Process.WaitForExit()
                $null = $running.Remove($run)
                Complete-PesterFile -Run $run -Suite $suite
            }
        }
    }
    $suite
}

function Invoke-TestTask {
    $suites = [System.Collections.Generic.List[object]]::new()
    try {
        Invoke-BuildTask
        Assert-TestTools
        if (Test-Path $TestResultsRoot) { Remove-Item $TestResultsRoot -Recurse -Force }
        $null = New-Item -ItemType Directory -Path $TestResultsRoot -Force
        $env:SD_MODULE = Join-Path $ModuleOutput 'SocketDispatcher.psd1'
        $env:SD_BIN = Join-Path $ModuleOutput 'sd'
        if (-not $SkipUnit) { $suites.Add((Invoke-UnitTests)) }
        $suites.Add((Invoke-PesterTests))
    }
    catch {
        # The run itself broke (build, tool install, runner): report it as a failure, keep the
        # summary below, and so the closing line, intact.
        Write-Host "error: $($_.Exception.Message)"
        Write-Host $_.ScriptStackTrace
        $broken = New-SuiteResult 'run'
        $broken.Failed = 1
        $broken.Problems.Add("the test run stopped early: $($_.Exception.Message)")
        $suites.Add($broken)
    }

    $passed = ($suites | Measure-Object -Property Passed -Sum).Sum
    $failed = ($suites | Measure-Object -Property Failed -Sum).Sum
    $skipped = ($suites | Measure-Object -Property Skipped -Sum).Sum
    Write-Host ''
    Write-Host 'Summary'
    foreach ($suite in $suites) {
        Write-Host ('  suite {0,-8} passed {1,5}   failed {2,5}   skipped {3,5}' -f $suite.Name, $suite.Passed, $suite.Failed, $suite.Skipped)
    }
    foreach ($suite in $suites) {
        foreach ($problem in $suite.Problems) { Write-Host "  FAILED $problem" }
    }
    if ($passed + $failed -eq 0) { Write-Host '  FAILED no test ran' }
    Write-Host "skipped: $skipped (not counted as passed)"
    Write-Host "tests: $passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { 1 } else { 0 }
}

function Invoke-DemoTask {
    Invoke-BuildTask
    $demo = Join-Path $RepoRoot 'examples/demo.ps1'
    if (-not (Test-Path $demo -PathType Leaf)) {
        throw "There is no demo yet: $demo is missing."
    }
    $env:SD_MODULE = Join-Path $ModuleOutput 'SocketDispatcher.psd1'
    $env:SD_BIN = Join-Path $ModuleOutput 'sd'
    Write-Step 'Demo: examples/demo.ps1'
    # A fresh process: the binary module cannot be unloaded, and the demo starts from a clean session.
    Invoke-Native -AllowFailure dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File', $demo)
}

function Invoke-BenchTask {
    Invoke-BuildTask
    Assert-BenchTools
    $project = Join-Path $RepoRoot 'bench/SocketDispatcher.Bench/SocketDispatcher.Bench.csproj'
    $arguments = @('run', '-c', $Configuration, '--project', $project, '--', '--sd', (Join-Path $ModuleOutput 'sd'))
    if ($Quick) { $arguments += '--quick' }
    if ($Note) { $arguments += @('--note', $Note) }
    if ($BenchArgs) { $arguments += $BenchArgs }
    Write-Step "Bench: $(if ($Quick) { 'quick run' } else { 'full run, about 10 minutes' })"
    Invoke-Native -AllowFailure dotnet $arguments
}

function Invoke-CleanTask {
    Write-Step 'Clean'
    $targets = [System.Collections.Generic.List[string]]::new()
    if (Test-Path $ArtifactsRoot) { $targets.Add($ArtifactsRoot) }
    foreach ($folder in 'src', 'tests', 'bench', 'examples') {
        $root = Join-Path $RepoRoot $folder
        if (Test-Path $root) {
            Get-ChildItem -Path $root -Recurse -Directory -Force |
                Where-Object { $_.Name -in 'bin', 'obj', 'TestResults', 'BenchmarkDotNet.Artifacts' } |
                ForEach-Object { $targets.Add($_.FullName) }
        }
    }
    foreach ($target in $targets) {
        if (Test-Path $target) {
            Write-Host "  removing $([System.IO.Path]::GetRelativePath($RepoRoot, $target))"
            Remove-Item -Path $target -Recurse -Force
        }
    }
}

try {
    $exitCode = switch ($Task) {
        'Build' { Invoke-BuildTask; 0 }
        'Test' { Invoke-TestTask }
        'Demo' { Invoke-DemoTask }
        'Bench' { Invoke-BenchTask }
        'Clean' { Invoke-CleanTask; 0 }
    }
    exit $exitCode
}
catch {
    [Console]::Error.WriteLine("build.ps1 ${Task} failed: $($_.Exception.Message)")
    [Console]::Error.WriteLine($_.ScriptStackTrace)
    exit 1
}

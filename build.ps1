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

    # Only run the Pester files whose name contains one of these strings (Test task). From a shell,
    # where pwsh -File passes 'A,B' as one string, a comma-separated list works too.
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
# Exit codes of native commands are checked explicitly, each with a message that names the command.
$PSNativeCommandUseErrorActionPreference = $false

$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
if ($env:CI -or $env:NO_COLOR) {
    $PSStyle.OutputRendering = 'PlainText'
    $env:NO_COLOR = '1'
}

if ($PesterFile) { $PesterFile = @($PesterFile -split ',' | ForEach-Object Trim | Where-Object { $_ }) }

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

# The helpers: native commands, input hashing, package checks (SdBuild), and the test runner.
Import-Module (Join-Path $RepoRoot 'tools/SdBuild.psm1') -Force
Import-Module (Join-Path $RepoRoot 'tools/SdTestRunner.psm1') -Force

function Invoke-BuildTask {
    $inputHash = Get-BuildInputHash $RepoRoot
    $previousHash = if (Test-Path $BuildStampPath) { (Get-Content -Raw $BuildStampPath).Trim() } else { '' }
    if (-not $Force -and $inputHash -eq $previousHash -and @(Get-MissingModuleFiles $ModuleOutput $RequiredModuleFiles).Count -eq 0) {
        Assert-ModuleFolder $ModuleOutput $RequiredModuleFiles $RuntimeId
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

    Assert-ModuleFolder $ModuleOutput $RequiredModuleFiles $RuntimeId
    Set-Content -Path $BuildStampPath -Value $inputHash -NoNewline
    Write-Step "Build: done ($ModuleOutput)"
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
        if (-not $SkipUnit) { $suites.Add((Invoke-UnitTests $RepoRoot $Configuration $TestResultsRoot)) }
        $suites.Add((Invoke-PesterTests -RepoRoot $RepoRoot -TestResultsRoot $TestResultsRoot -Filter $PesterFile -Throttle $PesterThrottle -TimeoutSeconds $PesterTimeoutSeconds))
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
    # Its last line is `tests: N passed, M failed`; it returns the exit code.
    Write-TestSummary $suites
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

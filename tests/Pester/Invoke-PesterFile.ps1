#Requires -Version 7.4
<#
.SYNOPSIS
    Runs one Pester file and writes its counts to a JSON file. build.ps1 starts it in a fresh
    `dotnet pwsh` process for every *.Tests.ps1 file, because a loaded binary module cannot be
    unloaded and each file must start from a clean session.

.DESCRIPTION
    Exit codes: 0 every test passed, 1 some test or block failed (the counts are written either
    way), 3 the runner itself failed (no counts written).
#>
[CmdletBinding()]
param(
    # The *.Tests.ps1 file to run.
    [Parameter(Mandatory)]
    [string] $Path,

    # Full path of Pester.psd1 (the NuGet package keeps it under tools/).
    [Parameter(Mandatory)]
    [string] $PesterModule,

    # Where to write {Passed, Failed, Skipped, NotRun, Inconclusive, FailedBlocks, FailedContainers, ...}.
    [Parameter(Mandatory)]
    [string] $CountsPath,

    # Where to write the NUnit XML report, if wanted.
    [string] $TestResultPath
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$PSStyle.OutputRendering = 'PlainText'

try {
    Import-Module -Name $PesterModule -Force

    $configuration = New-PesterConfiguration
    $configuration.Run.Path = $Path
    $configuration.Run.PassThru = $true
    $configuration.Output.Verbosity = 'Detailed'
    $configuration.Output.RenderMode = 'Plaintext'
    if ($TestResultPath) {
        $configuration.TestResult.Enabled = $true
        $configuration.TestResult.OutputFormat = 'NUnitXml'
        $configuration.TestResult.OutputPath = $TestResultPath
    }

    $result = Invoke-Pester -Configuration $configuration

    $counts = [ordered]@{
        File             = $Path
        Result           = $result.Result
        Passed           = $result.PassedCount
        Failed           = $result.FailedCount
        Skipped          = $result.SkippedCount
        NotRun           = $result.NotRunCount
        Inconclusive     = $result.InconclusiveCount
        FailedBlocks     = $result.FailedBlocksCount
        FailedContainers = $result.FailedContainersCount
        Seconds          = [math]::Round($result.Duration.TotalSeconds, 2)
    }
    $counts | ConvertTo-Json | Set-Content -Path $CountsPath -Encoding utf8NoBOM

    if ($counts.Failed + $counts.FailedBlocks + $counts.FailedContainers -gt 0) { exit 1 }
    exit 0
}
catch {
    [Console]::Error.WriteLine("Invoke-PesterFile: running $Path failed: $($_.Exception.Message)")
    [Console]::Error.WriteLine($_.ScriptStackTrace)
    exit 3
}

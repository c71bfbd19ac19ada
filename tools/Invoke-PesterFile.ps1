#Requires -Version 7.4
<#
.SYNOPSIS
    Runs one Pester file and writes its counts to a JSON file. build.ps1's Test task
    (Invoke-PesterTests in tools/SdTestRunner.psm1) starts it in a fresh
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

# The pwsh processes the tests start render errors without ANSI colour codes too: an escape
# character in a failure message would make the NUnit report (XML) unwritable.
$env:NO_COLOR = '1'

try {
    Import-Module -Name $PesterModule -Force

    $configuration = New-PesterConfiguration
    $configuration.Run.Path = $Path
    $configuration.Run.PassThru = $true
    $configuration.Output.Verbosity = 'Detailed'
    $configuration.Output.RenderMode = 'Plaintext'

    $result = Invoke-Pester -Configuration $configuration

    # Pester reports a failure of its own (writing the report, a plugin) as an error and returns
    # nothing: that run's tests must not count as passed.
    if ($null -eq $result -or $null -eq $result.PassedCount) { throw 'Invoke-Pester returned no result; see the errors above' }

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

    # The report is written after the counts, and its failure is only reported: a failure message
    # holding a character XML cannot carry (an escape code) must not hide the results.
    if ($TestResultPath) {
        try { Export-NUnitReport -Result $result -Path $TestResultPath }
        catch { [Console]::Error.WriteLine("Invoke-PesterFile: the NUnit report $TestResultPath was not written: $($_.Exception.Message)") }
    }

    if ($counts.Failed + $counts.FailedBlocks + $counts.FailedContainers -gt 0) { exit 1 }
    exit 0
}
catch {
    [Console]::Error.WriteLine("Invoke-PesterFile: running $Path failed: $($_.Exception.Message)")
    [Console]::Error.WriteLine($_.ScriptStackTrace)
    exit 3
}

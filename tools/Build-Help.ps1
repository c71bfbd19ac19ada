#Requires -Version 7.4
<#
.SYNOPSIS
    Writes the cmdlet help into a built module folder: en-US/SocketDispatcher.dll-Help.xml, made
    from docs/cmdlets/*.md. (The about_ topic is copied with the other module files.)

.DESCRIPTION
    build.ps1 Build runs it in a fresh `dotnet pwsh` (it imports the built module to read each
    cmdlet's parameters). It fails, naming every problem, when a cmdlet has no page, a page has no
    cmdlet, or a page lacks a synopsis, description, inputs, outputs, two examples, a parameter or
    the default of an optional parameter.

.EXAMPLE
    dotnet pwsh ./tools/Build-Help.ps1 -ModuleFolder ./artifacts/SocketDispatcher
#>
[CmdletBinding()]
param(
    # The built module folder (holding SocketDispatcher.psd1).
    [Parameter(Mandatory)]
    [string] $ModuleFolder,

    # The folder of <Cmdlet>.md pages.
    [string] $PageFolder = (Join-Path $PSScriptRoot '../docs/cmdlets')
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'SdHelp.psm1') -Force
$module = Import-Module (Join-Path $ModuleFolder 'SocketDispatcher.psd1') -PassThru -Force

$commands = @{}
foreach ($c in Get-Command -Module $module.Name -CommandType Cmdlet) { $commands[$c.Name] = $c }
$pages = @(Get-ChildItem -Path $PageFolder -Filter '*.md' -File | Sort-Object Name | ConvertFrom-SdHelpMarkdown)

$problems = [System.Collections.Generic.List[string]]::new()
foreach ($name in $commands.Keys | Sort-Object) {
    if ($name -notin $pages.Name) { $problems.Add("${name}: no page docs/cmdlets/$name.md") }
}
foreach ($page in $pages) {
    if (-not $commands.ContainsKey($page.Name)) { $problems.Add("$($page.Name).md: the module has no such cmdlet"); continue }
    foreach ($problem in Test-SdHelpPage -Page $page -Command $commands[$page.Name]) { $problems.Add($problem) }
}
if ($problems.Count) {
    throw "The cmdlet help is incomplete:`n  " + ($problems -join "`n  ")
}

$culture = Join-Path $ModuleFolder 'en-US'
$null = New-Item -ItemType Directory -Path $culture -Force
$xml = ConvertTo-SdMaml -Page ($pages | Where-Object { $commands.ContainsKey($_.Name) }) -Command $commands
[System.IO.File]::WriteAllText((Join-Path $culture 'SocketDispatcher.dll-Help.xml'), $xml, [System.Text.UTF8Encoding]::new($false))
Write-Host "==> Help: $($pages.Count) cmdlet page(s) into $culture"

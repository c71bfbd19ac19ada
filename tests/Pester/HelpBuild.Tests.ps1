# tools/SdHelp.psm1, the converter from docs/cmdlets Markdown to MAML that build.ps1 runs, on small
# pages written here and a function of this file standing in for a cmdlet.
# Runs in its own `dotnet pwsh` process.

BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module (Join-Path $PSScriptRoot '../../tools/SdHelp.psm1') -Force

    function Set-SdDemo {
        [CmdletBinding(SupportsShouldProcess)]
        [OutputType([string])]
        param(
            [Parameter(Mandatory, Position = 0, ValueFromPipeline)]
            [string[]] $Name,

            [Alias('Wait')]
            [int] $Seconds = 5,

            [switch] $Force
        )
    }

    $script:good = @'
# Set-SdDemo

## Synopsis
Sets a demo.

## Description
First paragraph,
on two lines.

- a list item
- another

## Parameters

### -Name
The names.

### -Seconds
How long, in seconds.
Default: 5

### -Force
Do it anyway.

## Inputs

### System.String
Names.

## Outputs

### System.String
Text.

## Notes
A note.

## Examples

### Example 1: The simplest
```powershell
Set-SdDemo a
```
It sets a.

### Example 2: Two names
```powershell
'a', 'b' | Set-SdDemo
```

## Related links
- about_SocketDispatcher
'@

    function Write-Page([string] $Text, [string] $Name = 'page') {
        $path = Join-Path $TestDrive "$Name.md"
        Set-Content -Path $path -Value $Text
        $path
    }
}

Describe 'ConvertFrom-SdHelpMarkdown' {
    Context 'A complete page' {
        BeforeAll {
            $script:page = ConvertFrom-SdHelpMarkdown -Path (Write-Page $good)
        }

        It 'reads the title, synopsis and description paragraphs' {
            $page.Name | Should -Be 'Set-SdDemo'
            $page.Synopsis | Should -Be 'Sets a demo.'
            $page.Description | Should -Be @('First paragraph, on two lines.', '- a list item', '- another')
        }

        It 'reads each parameter with its text and default' {
            $page.Parameters.Keys | Should -Be @('Name', 'Seconds', 'Force')
            $page.Parameters['Seconds'].Text | Should -Be @('How long, in seconds.')
            $page.Parameters['Seconds'].Default | Should -Be '5'
            $page.Parameters['Force'].Default | Should -BeNullOrEmpty
        }

        It 'reads inputs, outputs, notes, links and examples with their code and remarks' {
            $page.Inputs[0].Type | Should -Be 'System.String'
            $page.Outputs[0].Text | Should -Be @('Text.')
            $page.Notes | Should -Be @('A note.')
            $page.Links | Should -Be @('about_SocketDispatcher')
            $page.Examples | Should -HaveCount 2
            $page.Examples[0].Title | Should -Be 'The simplest'
            $page.Examples[0].Code | Should -Be 'Set-SdDemo a'
            $page.Examples[0].Remarks | Should -Be @('It sets a.')
        }
    }

    Context 'Malformed pages' {
        It 'refuses <Because>' -ForEach @(
            @{ Because = 'a page without a title'; Text = "## Synopsis`nx"; Error = "no '# Verb-Noun' title" }
            @{ Because = 'an unknown section'; Text = "# A-B`n## Usage`nx"; Error = "unknown section '## Usage'" }
            @{ Because = 'a parameter heading without its dash'; Text = "# A-B`n## Parameters`n### Name"; Error = "reads '### -Name'" }
            @{ Because = 'an example without code'; Text = "# A-B`n## Examples`n### Example 1: x`ntext"; Error = "has no code block" }
            @{ Because = 'an unclosed code block'; Text = "# A-B`n## Examples`n### Example 1: x`n``````powershell`nA-B"; Error = 'not closed' }
        ) {
            { ConvertFrom-SdHelpMarkdown -Path (Write-Page $Text 'bad') } | Should -Throw "*$Error*"
        }
    }
}

Describe 'Test-SdHelpPage' {
    It 'finds nothing wrong with a complete page' {
        Test-SdHelpPage -Page (ConvertFrom-SdHelpMarkdown -Path (Write-Page $good)) -Command (Get-Command Set-SdDemo) | Should -BeNullOrEmpty
    }

    It 'names a missing parameter, a missing default, an unknown parameter and a missing example' {
        $text = $good -replace '(?s)### -Name.*?### -Seconds', "### -Nmae`nTypo.`n`n### -Seconds" -replace 'Default: 5', '' -replace '(?s)### Example 2: Two names.*?(?=## Related)', ''
        $problems = @(Test-SdHelpPage -Page (ConvertFrom-SdHelpMarkdown -Path (Write-Page $text 'gaps')) -Command (Get-Command Set-SdDemo))
        $problems | Should -Contain 'Set-SdDemo: parameter -Name is not described'
        $problems | Should -Contain "Set-SdDemo: optional parameter -Seconds has no 'Default:' line"
        $problems | Should -Contain 'Set-SdDemo: the page describes -Nmae, which the cmdlet does not have'
        $problems | Should -Contain 'Set-SdDemo: 1 example(s); write at least two'
    }
}

Describe 'ConvertTo-SdMaml' {
    BeforeAll {
        $page = ConvertFrom-SdHelpMarkdown -Path (Write-Page $good)
        [xml] $script:maml = ConvertTo-SdMaml -Page $page -Command @{ 'Set-SdDemo' = (Get-Command Set-SdDemo) }
        $script:ns = [System.Xml.XmlNamespaceManager]::new($maml.NameTable)
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
        $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
        $script:command = $maml.SelectSingleNode('//command:command', $ns)
    }

    It 'writes the name, verb, noun and synopsis' {
        $command.SelectSingleNode('command:details/command:name', $ns).InnerText | Should -Be 'Set-SdDemo'
        $command.SelectSingleNode('command:details/command:verb', $ns).InnerText | Should -Be 'Set'
        $command.SelectSingleNode('command:details/command:noun', $ns).InnerText | Should -Be 'SdDemo'
        $command.SelectSingleNode('command:details/maml:description/maml:para', $ns).InnerText | Should -Be 'Sets a demo.'
    }

    It 'takes each parameter''s type, position, pipeline input and aliases from the command' {
        $name = $command.SelectSingleNode("command:parameters/command:parameter[maml:name='Name']", $ns)
        $name.required | Should -Be 'true'
        $name.position | Should -Be '0'
        $name.pipelineInput | Should -Be 'True (ByValue)'
        $name.variableLength | Should -Be 'true'
        $name.SelectSingleNode('dev:type/maml:name', $ns).InnerText | Should -Be 'System.String[]'
        $seconds = $command.SelectSingleNode("command:parameters/command:parameter[maml:name='Seconds']", $ns)
        $seconds.position | Should -Be 'named'
        $seconds.aliases | Should -Be 'Wait'
        $seconds.SelectSingleNode('dev:defaultValue', $ns).InnerText | Should -Be '5'
    }

    It 'lists -WhatIf and -Confirm in the syntax of a command that supports ShouldProcess' {
        $names = $command.SelectNodes('command:syntax/command:syntaxItem/command:parameter/maml:name', $ns) | ForEach-Object InnerText
        $names | Should -Be @('Name', 'Seconds', 'Force', 'WhatIf', 'Confirm')
    }

    It 'writes the examples with their code' {
        $codes = $command.SelectNodes('command:examples/command:example/dev:code', $ns) | ForEach-Object InnerText
        $codes | Should -Be @('Set-SdDemo a', "'a', 'b' | Set-SdDemo")
    }
}

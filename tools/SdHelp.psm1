# Turns docs/cmdlets/<Cmdlet>.md into the MAML help file PowerShell reads (SocketDispatcher.dll-Help.xml).
# The Markdown gives what only a person can write (synopsis, description, parameter text and
# defaults, inputs, outputs, notes, examples); the cmdlet's own metadata gives the rest (parameter
# types, positions, sets, pipeline input, aliases, wildcards), so the two cannot drift apart: a
# parameter missing from the page, or a page describing one the cmdlet lacks, fails the build.
#
# Page layout (headings are matched case-insensitively):
#   # Verb-Noun
#   ## Synopsis             one paragraph
#   ## Description          paragraphs; a line starting with "- " is a paragraph of its own
#   ## Parameters           ### -Name, its text, and a "Default: ..." line (omit for switches and mandatory ones)
#   ## Inputs / ## Outputs  ### TypeName, then its text
#   ## Notes                paragraphs
#   ## Examples             ### Example N: title, one ```powershell block, then the remarks
#   ## Related links        "- Name" lines

Set-StrictMode -Version Latest

function ConvertFrom-SdHelpMarkdown {
    <#
    .SYNOPSIS
        Reads one cmdlet page into an object: Name, Synopsis, Description, Parameters (ordered, name ->
        Text, Default), Inputs and Outputs (Type, Text), Notes, Examples (Title, Code, Remarks), Links.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('FullName')]
        [string] $Path
    )
    process {
        $lines = @(Get-Content -LiteralPath $Path)
        $page = [ordered]@{
            Name        = $null
            Synopsis    = ''
            Description = [System.Collections.Generic.List[string]]::new()
            Parameters  = [ordered]@{}
            Inputs      = [System.Collections.Generic.List[object]]::new()
            Outputs     = [System.Collections.Generic.List[object]]::new()
            Notes       = [System.Collections.Generic.List[string]]::new()
            Examples    = [System.Collections.Generic.List[object]]::new()
            Links       = [System.Collections.Generic.List[string]]::new()
        }
        $section = $null
        $item = $null
        $body = [System.Collections.Generic.List[string]]::new()
        $inCode = $false
        $code = $null

        $flush = {
            $text = @(ConvertTo-SdParagraph $body)
            $body.Clear()
            switch ($section) {
                'synopsis' { $page.Synopsis = $text -join ' ' }
                'description' { $page.Description.AddRange([string[]] $text) }
                'notes' { $page.Notes.AddRange([string[]] $text) }
                'related links' { foreach ($t in $text) { $page.Links.Add(($t -replace '^-\s*', '').Trim()) } }
                default {
                    if ($null -ne $item) {
                        $default = @($text | Where-Object { $_ -match '^Default:\s*' })
                        $item.Text = @($text | Where-Object { $_ -notmatch '^Default:\s*' })
                        if ($item.PSObject.Properties['Default'] -and $default) { $item.Default = $default[-1] -replace '^Default:\s*', '' }
                        if ($item.PSObject.Properties['Remarks']) { $item.Remarks = $item.Text }
                    }
                }
            }
        }

        for ($i = 0; $i -lt $lines.Count; $i++) {
            $line = $lines[$i]
            if ($inCode) {
                if ($line -match '^```\s*$') { $inCode = $false; $item.Code = $code -join "`n"; continue }
                $code.Add($line)
                continue
            }
            if ($line -match '^```') {
                if ($section -ne 'examples' -or $null -eq $item) { throw "${Path}:$($i + 1): a code block belongs under '### Example N: title' in '## Examples'." }
                if ($item.Code) { throw "${Path}:$($i + 1): example '$($item.Title)' has a second code block; give each example one." }
                $inCode = $true
                $code = [System.Collections.Generic.List[string]]::new()
                continue
            }
            if ($line -match '^#\s+(\S.*)$' -and -not $page.Name) { $page.Name = $Matches[1].Trim(); continue }
            if ($line -match '^##\s+(.+)$') {
                & $flush
                $section = $Matches[1].Trim().ToLowerInvariant()
                if ($section -notin 'synopsis', 'description', 'parameters', 'inputs', 'outputs', 'notes', 'examples', 'related links') {
                    throw "${Path}:$($i + 1): unknown section '## $($Matches[1])'."
                }
                $item = $null
                continue
            }
            if ($line -match '^###\s+(.+)$') {
                & $flush
                $heading = $Matches[1].Trim()
                switch ($section) {
                    'parameters' {
                        if ($heading -notmatch '^-(\w+)$') { throw "${Path}:$($i + 1): a parameter heading reads '### -Name', not '### $heading'." }
                        $item = [pscustomobject]@{ Name = $Matches[1]; Text = @(); Default = $null }
                        $page.Parameters[$Matches[1]] = $item
                    }
                    { $_ -in 'inputs', 'outputs' } {
                        $item = [pscustomobject]@{ Type = $heading; Text = @() }
                        $page[(Get-Culture).TextInfo.ToTitleCase($section)].Add($item)
                    }
                    'examples' {
                        if ($heading -notmatch '^Example\s+\d+:\s*(.+)$') { throw "${Path}:$($i + 1): an example heading reads '### Example N: title', not '### $heading'." }
                        $item = [pscustomobject]@{ Title = $Matches[1].Trim(); Code = $null; Text = @(); Remarks = @() }
                        $page.Examples.Add($item)
                    }
                    default { throw "${Path}:$($i + 1): '### $heading' does not belong in '## $section'." }
                }
                continue
            }
            $body.Add($line)
        }
        if ($inCode) { throw "${Path}: a code block is not closed." }
        & $flush

        if (-not $page.Name) { throw "${Path}: the page has no '# Verb-Noun' title." }
        foreach ($example in $page.Examples) {
            if (-not $example.Code) { throw "${Path}: example '$($example.Title)' has no code block." }
        }
        [pscustomobject] $page
    }
}

function ConvertTo-SdParagraph {
    # Blank lines separate paragraphs; a line starting with "- " starts a paragraph of its own
    # (MAML has no lists); other lines are joined with a space.
    param([System.Collections.Generic.List[string]] $Lines)
    $current = [System.Collections.Generic.List[string]]::new()
    foreach ($line in $Lines) {
        $trimmed = $line.Trim()
        if (-not $trimmed -or $trimmed -match '^- ' -or $trimmed -match '^Default:') {
            if ($current.Count) { $current -join ' '; $current.Clear() }
            if ($trimmed) { $current.Add($trimmed) }
            continue
        }
        $current.Add($trimmed)
    }
    if ($current.Count) { $current -join ' ' }
}

function Test-SdHelpPage {
    <#
    .SYNOPSIS
        Checks a page against its cmdlet: every parameter described and no other, a default for each
        optional value parameter, a synopsis, a description, inputs, outputs and two examples. Returns
        the problems as strings; none means the page is complete.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] $Page,
        [Parameter(Mandatory)] [System.Management.Automation.CommandInfo] $Command
    )
    $name = $Command.Name
    if (-not $Page.Synopsis) { "${name}: no synopsis" }
    if (-not $Page.Description.Count) { "${name}: no description" }
    if (-not $Page.Outputs.Count) { "${name}: no outputs" }
    if (-not $Page.Inputs.Count) { "${name}: no inputs (write '### None' when nothing can be piped)" }
    if ($Page.Examples.Count -lt 2) { "${name}: $($Page.Examples.Count) example(s); write at least two" }
    $actual = @(Get-SdDocumentedParameter $Command)
    foreach ($parameter in $actual) {
        if (-not $Page.Parameters.Contains($parameter.Name)) { "${name}: parameter -$($parameter.Name) is not described"; continue }
        $doc = $Page.Parameters[$parameter.Name]
        if (-not $doc.Text) { "${name}: parameter -$($parameter.Name) has no text" }
        $mandatory = @($parameter.ParameterSets.Values | Where-Object IsMandatory).Count -eq $parameter.ParameterSets.Count
        if (-not $mandatory -and $parameter.ParameterType -ne [switch] -and -not $doc.Default) {
            "${name}: optional parameter -$($parameter.Name) has no 'Default:' line"
        }
    }
    foreach ($documented in $Page.Parameters.Keys) {
        if ($documented -notin $actual.Name) { "${name}: the page describes -$documented, which the cmdlet does not have" }
    }
}

function Get-SdDocumentedParameter {
    # The parameters a page describes: all but the common ones, in declaration order.
    param([System.Management.Automation.CommandInfo] $Command)
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    $Command.Parameters.Values | Where-Object Name -NotIn $common
}

function ConvertTo-SdMaml {
    <#
    .SYNOPSIS
        Writes the MAML document (helpItems) for pages and their commands, as a string.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [object[]] $Page,
        # Command name -> CommandInfo.
        [Parameter(Mandatory)] [hashtable] $Command
    )
    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $text = [System.IO.StringWriter]::new()
    $w = [System.Xml.XmlWriter]::Create($text, $settings)
    $maml = 'http://schemas.microsoft.com/maml/2004/10'
    $cmd = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    $dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
    $paras = {
        param([string[]] $Texts)
        if (-not $Texts) { $w.WriteElementString('para', $maml, ''); return }
        foreach ($t in $Texts) { $w.WriteElementString('para', $maml, $t) }
    }

    $w.WriteStartDocument()
    $w.WriteStartElement('helpItems', 'http://msh')
    $w.WriteAttributeString('schema', 'maml')
    foreach ($p in $Page) {
        $info = $Command[$p.Name]
        if (-not $info) { throw "No command '$($p.Name)' for the page of that name." }
        $verb, $noun = $p.Name -split '-', 2
        $w.WriteStartElement('command', 'command', $cmd)
        $w.WriteAttributeString('xmlns', 'maml', $null, $maml)
        $w.WriteAttributeString('xmlns', 'dev', $null, $dev)

        $w.WriteStartElement('details', $cmd)
        $w.WriteElementString('name', $cmd, $p.Name)
        $w.WriteStartElement('description', $maml); & $paras @($p.Synopsis); $w.WriteEndElement()
        $w.WriteElementString('verb', $cmd, $verb)
        $w.WriteElementString('noun', $cmd, $noun)
        $w.WriteEndElement()

        $w.WriteStartElement('description', $maml); & $paras $p.Description; $w.WriteEndElement()

        $w.WriteStartElement('syntax', $cmd)
        foreach ($set in $info.ParameterSets) {
            $w.WriteStartElement('syntaxItem', $cmd)
            $w.WriteElementString('name', $maml, $p.Name)
            $inSet = $set.Parameters | Where-Object Name -In (Get-SdDocumentedParameter $info).Name |
                Sort-Object { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } }, { -not $_.IsMandatory }
            foreach ($sp in $inSet) { Write-SdMamlParameter $w $p $info.Parameters[$sp.Name] $sp }
            # MAML replaces the syntax PowerShell would make, so the ShouldProcess switches are listed here.
            if ($info.Parameters.ContainsKey('WhatIf')) {
                foreach ($name in 'WhatIf', 'Confirm') { Write-SdMamlParameter $w $p $info.Parameters[$name] $null }
            }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('parameters', $cmd)
        foreach ($parameter in Get-SdDocumentedParameter $info) {
            Write-SdMamlParameter $w $p $parameter $null
        }
        $w.WriteEndElement()

        foreach ($kind in @(@('inputTypes', 'inputType', $p.Inputs), @('returnValues', 'returnValue', $p.Outputs))) {
            $w.WriteStartElement($kind[0], $cmd)
            foreach ($entry in $kind[2]) {
                $w.WriteStartElement($kind[1], $cmd)
                $w.WriteStartElement('type', $dev); $w.WriteElementString('name', $maml, $entry.Type); $w.WriteEndElement()
                $w.WriteStartElement('description', $maml); & $paras $entry.Text; $w.WriteEndElement()
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
        }

        $w.WriteStartElement('alertSet', $maml)
        $w.WriteStartElement('alert', $maml); & $paras $p.Notes; $w.WriteEndElement()
        $w.WriteEndElement()

        $w.WriteStartElement('examples', $cmd)
        $n = 0
        foreach ($example in $p.Examples) {
            $n++
            $w.WriteStartElement('example', $cmd)
            $w.WriteElementString('title', $maml, "--------- Example ${n}: $($example.Title) ---------")
            $w.WriteElementString('code', $dev, $example.Code)
            $w.WriteStartElement('remarks', $dev); & $paras $example.Remarks; $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('relatedLinks', $cmd)
        foreach ($link in $p.Links) {
            $w.WriteStartElement('navigationLink', $maml)
            $w.WriteElementString('linkText', $maml, $link)
            $w.WriteElementString('uri', $maml, '')
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndDocument()
    $w.Flush()
    $text.ToString()
}

function Write-SdMamlParameter {
    # One command:parameter: attributes from the cmdlet (for -InSet, as that set declares it), text
    # and default from the page.
    param($w, $Page, [System.Management.Automation.ParameterMetadata] $Parameter, $InSet)
    $maml = 'http://schemas.microsoft.com/maml/2004/10'
    $cmd = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    $dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
    $sets = @($Parameter.ParameterSets.Values)
    $mandatory = if ($InSet) { $InSet.IsMandatory } else { @($sets | Where-Object IsMandatory).Count -eq $sets.Count }
    $position = if ($InSet) { $InSet.Position } else { ($sets | Select-Object -First 1).Position }
    $byValue = $sets | Where-Object ValueFromPipeline
    $byName = $sets | Where-Object ValueFromPipelineByPropertyName
    $pipeline = if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byName) { 'True (ByPropertyName)' } else { 'False' }
    $globbing = [bool] ($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $type = $Parameter.ParameterType
    $typeName = if ($type -eq [switch]) { 'SwitchParameter' } else { $type.Name }
    $doc = if ($Page.Parameters.Contains($Parameter.Name)) { $Page.Parameters[$Parameter.Name] }
    elseif ($Parameter.Name -eq 'WhatIf') { @{ Text = @('Shows what would happen if the command ran; nothing is done.'); Default = $null } }
    elseif ($Parameter.Name -eq 'Confirm') { @{ Text = @('Asks for confirmation before doing anything.'); Default = $null } }

    $w.WriteStartElement('parameter', $cmd)
    $w.WriteAttributeString('required', $mandatory.ToString().ToLowerInvariant())
    $w.WriteAttributeString('variableLength', $type.IsArray.ToString().ToLowerInvariant())
    $w.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', $pipeline)
    $w.WriteAttributeString('position', $(if ($position -ge 0) { [string] $position } else { 'named' }))
    $w.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $w.WriteElementString('name', $maml, $Parameter.Name)
    $w.WriteStartElement('description', $maml)
    foreach ($t in @($doc.Text)) { $w.WriteElementString('para', $maml, $t) }
    $w.WriteEndElement()
    if ($type -ne [switch]) {
        $w.WriteStartElement('parameterValue', $cmd)
        $w.WriteAttributeString('required', 'true')
        $w.WriteAttributeString('variableLength', $type.IsArray.ToString().ToLowerInvariant())
        $w.WriteString($typeName)
        $w.WriteEndElement()
    }
    $w.WriteStartElement('type', $dev); $w.WriteElementString('name', $maml, $type.FullName); $w.WriteEndElement()
    $default = if ($doc.Default) { $doc.Default } elseif ($type -eq [switch]) { 'False' } else { 'None' }
    $w.WriteElementString('defaultValue', $dev, $default)
    $w.WriteEndElement()
}

Export-ModuleMember -Function ConvertFrom-SdHelpMarkdown, Test-SdHelpPage, ConvertTo-SdMaml

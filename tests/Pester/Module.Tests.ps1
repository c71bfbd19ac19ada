# The deployable folder that build.ps1 makes (artifacts/SocketDispatcher): the manifest, the import,
# the flat layout with native libraries next to the assemblies, and the `sd` binary next to them.
# Runs in its own `dotnet pwsh` process (tools/Invoke-PesterFile.ps1).

BeforeDiscovery {
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    # Every PowerShell source in the repository, without build output or git's own files.
    $script:scriptFiles = @(
        Get-ChildItem -Path $repoRoot -Recurse -File -Include '*.ps1', '*.psm1', '*.psd1' |
            Where-Object { [System.IO.Path]::GetRelativePath($repoRoot, $_.FullName) -notmatch '^(artifacts|\.git)[\\/]|[\\/](bin|obj)[\\/]' } |
            ForEach-Object { @{ File = $_.FullName; Name = [System.IO.Path]::GetRelativePath($repoRoot, $_.FullName) } }
    )
    $script:requiredFiles = @(
        'SocketDispatcher.psd1', 'SocketDispatcher.Format.ps1xml', 'SocketDispatcher.dll',
        'SocketDispatcher.Core.dll', 'sd', 'sd.dll',
        'en-US/SocketDispatcher.dll-Help.xml', 'en-US/about_SocketDispatcher.help.txt'
    ) | ForEach-Object { @{ Name = $_ } }
    $script:cmdletNames = @(
        'Start-SdListener', 'Get-SdListener', 'Stop-SdListener', 'Start-SdDispatcher', 'Connect-SdClient', 'Send-SdMessage', 'Receive-SdMessage',
        'Disconnect-SdClient', 'Get-SdClient', 'New-SdCertificate', 'New-SdMessage', 'ConvertFrom-SdMessage',
        'New-SdSocketPair'
    )
}

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE -or -not $env:SD_BIN) {
        throw 'SD_MODULE and SD_BIN are not set: run the tests with ./build.ps1 Test.'
    }
    $script:modulePath = $env:SD_MODULE
    $script:moduleFolder = Split-Path -Parent $modulePath
    $script:sdPath = $env:SD_BIN
    # The same list as $cmdletNames of BeforeDiscovery (discovery and run are separate scopes).
    $script:expectedCmdlets = @(
        'Start-SdListener', 'Get-SdListener', 'Stop-SdListener', 'Start-SdDispatcher', 'Connect-SdClient', 'Send-SdMessage', 'Receive-SdMessage',
        'Disconnect-SdClient', 'Get-SdClient', 'New-SdCertificate', 'New-SdMessage', 'ConvertFrom-SdMessage',
        'New-SdSocketPair'
    )
}

Describe 'SocketDispatcher module' {
    Context 'Manifest' {
        BeforeAll {
            $script:manifest = Test-ModuleManifest -Path $modulePath -ErrorAction Stop
            $script:manifestData = Import-PowerShellDataFile -Path $modulePath
        }

        It 'passes Test-ModuleManifest' {
            $manifest.Name | Should -Be 'SocketDispatcher'
            $manifest.Version | Should -Be ([version] '0.1.0')
            $manifest.RootModule | Should -Be 'SocketDispatcher.dll'
        }

        It 'targets PowerShell 7.4 or later, Core edition only' {
            $manifest.PowerShellVersion | Should -Be ([version] '7.4')
            $manifest.CompatiblePSEditions | Should -Be @('Core')
        }

        It 'lists every cmdlet by name, with no wildcard' {
            $manifestData.CmdletsToExport | Should -Not -Contain '*'
            $manifestData.CmdletsToExport | Where-Object { $_ -match '[*?]' } | Should -BeNullOrEmpty
            $manifestData.CmdletsToExport | Sort-Object | Should -Be ($expectedCmdlets | Sort-Object)
        }

        It 'lists the format file by name, and the project URI and release notes' {
            $manifestData.FormatsToProcess | Should -Be @('SocketDispatcher.Format.ps1xml')
            Join-Path $moduleFolder $manifestData.FormatsToProcess[0] | Should -Exist
            $manifest.ProjectUri | Should -Not -BeNullOrEmpty
            $manifest.ReleaseNotes | Should -Match '0\.1\.0'
        }

        It 'exports no function, alias or variable' {
            $manifestData.FunctionsToExport | Should -BeNullOrEmpty
            $manifestData.AliasesToExport | Should -BeNullOrEmpty
            $manifestData.VariablesToExport | Should -BeNullOrEmpty
        }
    }

    Context 'Import' {
        It 'imports from the build output' {
            $module = Import-Module -Name $modulePath -PassThru -Force -ErrorAction Stop
            $module.Name | Should -Be 'SocketDispatcher'
            $module.ModuleBase | Should -Be $moduleFolder
        }

        It 'loads the table view for <_>' -ForEach 'SocketDispatcher.SdMessage', 'SocketDispatcher.SdCertificateSet', 'SocketDispatcher.SdEndpoint',
            'SocketDispatcher.SdConnection', 'SocketDispatcher.SdHandoff', 'SocketDispatcher.SdListenerInfo', 'SocketDispatcher.SdDispatcherInfo' {
            Import-Module -Name $modulePath -ErrorAction Stop
            Get-FormatData -TypeName $_ | Should -Not -BeNullOrEmpty
        }
    }

    Context 'Exported commands' {
        BeforeAll {
            $script:module = Import-Module -Name $modulePath -PassThru -ErrorAction Stop
            $script:approved = (Get-Verb).Verb
        }

        It '<_> uses an approved verb and declares its output type' -ForEach $cmdletNames {
            $command = Get-Command $_ -Module SocketDispatcher
            $command.Verb | Should -BeIn $approved
            $command.OutputType | Should -Not -BeNullOrEmpty
            # Every parameter set says what it writes.
            $declared = @($command.ImplementingType.GetCustomAttributes([System.Management.Automation.OutputTypeAttribute], $false))
            foreach ($set in $command.ParameterSets.Name | Where-Object { $_ -ne '__AllParameterSets' }) {
                $declared | Where-Object { -not $_.ParameterSetName -or $_.ParameterSetName -contains $set -or $_.ParameterSetName -contains '__AllParameterSets' } |
                    Should -Not -BeNullOrEmpty -Because "parameter set $set of $_ must declare an output type"
            }
        }

        It 'writes only sealed types with get-only properties' {
            $types = Get-Command -Module SocketDispatcher | ForEach-Object { $_.OutputType.Type } |
                Where-Object { $_ -and $_.Namespace -like 'SocketDispatcher*' } | Sort-Object FullName -Unique
            $types | Should -Not -BeNullOrEmpty
            $types += [SocketDispatcher.SdDispatcherInfo], [SocketDispatcher.SdEndpoint]
            foreach ($type in $types) {
                # SdConnection is the base of the client types; nothing outside the module can derive from it.
                $open = -not $type.IsSealed -and @($type.GetConstructors('Public, NonPublic, Instance') | Where-Object { $_.IsPublic -or $_.IsFamily }).Count -gt 0
                $open | Should -BeFalse -Because "$($type.FullName) must be sealed or have no public or protected constructor"
                # The job type inherits PowerShell's Job; only what it declares itself is checked.
                $settable = $type.GetProperties('Public, Instance, DeclaredOnly') | Where-Object { $_.SetMethod -and $_.SetMethod.IsPublic }
                $settable | Should -BeNullOrEmpty -Because "$($type.FullName) must have get-only properties"
            }
        }
    }

    Context 'Deployable folder' {
        It 'holds <Name> next to the manifest' -ForEach $requiredFiles {
            Join-Path $moduleFolder $Name | Should -Exist
        }

        It 'is flat: no runtimes/ folder is needed' {
            Join-Path $moduleFolder 'runtimes' | Should -Not -Exist
        }

        It 'reaches libc from inside pwsh (socketpair(2) through New-SdSocketPair)' {
            Import-Module $modulePath
            $a, $b = New-SdSocketPair -Type SeqPacket
            try {
                Send-SdMessage -Client $a -Command PING
                (Receive-SdMessage -Client $b -Timeout 5).Command | Should -Be 'PING'
            }
            finally { $a, $b | Disconnect-SdClient }
        }
    }

    Context 'sd binary' {
        BeforeAll {
            $script:helpOutput = & $sdPath --help 2>&1 | Out-String
            $script:helpExitCode = $LASTEXITCODE
        }

        It 'is executable' {
            (Get-Item $sdPath).UnixFileMode.HasFlag([System.IO.UnixFileMode]::UserExecute) | Should -BeTrue
        }

        It 'exits 0 for --help' {
            $helpExitCode | Should -Be 0
        }

        It 'prints usage text for --help' {
            # Until the command line is written with System.CommandLine, `sd` is a placeholder that
            # prints nothing; the check turns itself on once sd.dll references System.CommandLine.
            $peStream = [System.IO.File]::OpenRead((Join-Path $moduleFolder 'sd.dll'))
            try {
                $pe = [System.Reflection.PortableExecutable.PEReader]::new($peStream)
                $metadata = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
                $references = foreach ($handle in $metadata.AssemblyReferences) {
                    $metadata.GetString($metadata.GetAssemblyReference($handle).Name)
                }
            }
            finally {
                $peStream.Dispose()
            }
            if ($references -notcontains 'System.CommandLine') {
                Set-ItResult -Skipped -Because 'sd is still the placeholder program (sd.dll does not use System.CommandLine yet)'
                return
            }
            $helpOutput.Trim() | Should -Not -BeNullOrEmpty
        }
    }

    Context 'PowerShell sources' {
        It '<Name> parses without errors' -ForEach $scriptFiles {
            $tokens = $null
            $errors = $null
            $null = [System.Management.Automation.Language.Parser]::ParseFile($File, [ref] $tokens, [ref] $errors)
            $errors | ForEach-Object { "$($_.Extent.StartLineNumber):$($_.Extent.StartColumnNumber) $($_.Message)" } |
                Should -BeNullOrEmpty
        }
    }
}

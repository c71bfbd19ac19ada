# One error from each cmdlet, as a script sees it: its FullyQualifiedErrorId (<Reason>,<cmdlet type>),
# a real category, the object it is about, a message that says what to do, and whether it ends the
# command (terminating only when the request as a whole cannot proceed), with -ErrorAction and
# $ErrorActionPreference behaving. Runs in its own `dotnet pwsh` process.

BeforeDiscovery {
    # Code, as text: it runs in the test's scope, where $refused, $folder and $pair are set.
    $script:cases = @(
        @{ Command = 'Start-SdListener'; Id = 'CertificateMissing'; Category = 'InvalidArgument'; Terminating = $true; Binding = $false
            Code = 'Start-SdListener -Endpoint tls://127.0.0.1:0 -Key ./server.key -Dispatchers 0' }
        @{ Command = 'Get-SdListener'; Id = 'ConnectionRefused'; Category = 'ConnectionError'; Terminating = $false; Binding = $false
            Code = 'Get-SdListener -Control "unix:$folder/none.sock"' }
        @{ Command = 'Stop-SdListener'; Id = 'ConnectionRefused'; Category = 'ConnectionError'; Terminating = $true; Binding = $false
            Code = 'Stop-SdListener -Control "unix:$folder/none.sock" -Confirm:$false' }
        @{ Command = 'Start-SdDispatcher'; Id = 'HandoffEndpointInvalid'; Category = 'InvalidArgument'; Terminating = $true; Binding = $false
            Code = 'Start-SdDispatcher -Handoff tcp://127.0.0.1:1 -Handler echo' }
        @{ Command = 'Connect-SdClient'; Id = 'ConnectionRefused'; Category = 'ConnectionError'; Terminating = $true; Binding = $false
            Code = 'Connect-SdClient "tcp://127.0.0.1:$refused"' }
        @{ Command = 'Send-SdMessage'; Id = 'ConnectionRefused'; Category = 'ConnectionError'; Terminating = $true; Binding = $false
            Code = 'Send-SdMessage -Endpoint "tcp://127.0.0.1:$refused" -Command QUIT' }
        @{ Command = 'Receive-SdMessage'; Id = 'ReceiveTimeout'; Category = 'OperationTimeout'; Terminating = $false; Binding = $false
            Code = 'Receive-SdMessage -Client $pair[0] -Timeout 100ms' }
        @{ Command = 'Disconnect-SdClient'; Id = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Terminating = $true; Binding = $true
            Code = 'Disconnect-SdClient -Client $null' }
        @{ Command = 'Get-SdClient'; Id = 'ClientNotFound'; Category = 'ObjectNotFound'; Terminating = $false; Binding = $false
            Code = 'Get-SdClient -Id client-none' }
        @{ Command = 'New-SdCertificate'; Id = 'CertificateWriteFailed'; Category = 'ObjectNotFound'; Terminating = $true; Binding = $false
            Code = 'New-SdCertificate -Path "$folder/a-file/certs"' }
        @{ Command = 'New-SdMessage'; Id = 'MessageInvalid'; Category = 'InvalidArgument'; Terminating = $true; Binding = $false
            Code = 'New-SdMessage -Command "not a command"' }
        @{ Command = 'ConvertFrom-SdMessage'; Id = 'MessageInvalid'; Category = 'ParserError'; Terminating = $false; Binding = $false
            Code = '"PING a" | ConvertFrom-SdMessage' }
        @{ Command = 'New-SdSocketPair'; Id = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'; Terminating = $true; Binding = $true
            Code = 'New-SdSocketPair -Type Bogus' }
    )
}

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module $env:SD_MODULE -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:refused = Get-SdFreeTcpPort
    $script:folder = $TestDrive
    Set-Content -Path (Join-Path $TestDrive 'a-file') -Value 'not a folder'
    $script:pair = New-SdSocketPair
    Push-Location $TestDrive
}

AfterAll {
    Pop-Location
    Get-SdClient | Disconnect-SdClient
}

Describe '<Command>' -ForEach $cases {
    Context 'Its <Id> error' {
        BeforeAll {
            # The common parameters go on the command itself; dot-sourced, -ErrorVariable lands here.
            $script:block = [scriptblock]::Create($Code)
            $script:stopping = [scriptblock]::Create("$Code -ErrorAction Stop")
            $script:silent = [scriptblock]::Create("$Code -ErrorAction SilentlyContinue -ErrorVariable failures")
            $script:fullId = "$Id,SocketDispatcher.PowerShell.$($Command -replace '-', '')Command"
        }

        It 'has the id <Id>, a real category, the target and a message that says what to do' {
            $record = $null
            try { $null = . $stopping } catch { $record = $_ }
            $record | Should -Not -BeNullOrEmpty -Because "'$Code' must fail"
            $record.FullyQualifiedErrorId | Should -Be $fullId
            $record.CategoryInfo.Category | Should -Be $Category
            $record.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
            "$record" | Should -Not -BeNullOrEmpty
            if (-not $Binding) {
                $record.TargetObject | Should -Not -BeNullOrEmpty -Because 'the error names what it is about'
                "$record" | Should -Not -Match '^Exception of type'
            }
        }

        It 'ends the command only when the request as a whole cannot proceed' {
            $failures = $null
            $ended = $false
            try { $null = . $silent } catch { $ended = $true; $failures = @($_) }
            $ended | Should -Be $Terminating
            @($failures)[0].FullyQualifiedErrorId | Should -Be $fullId
        }

        It 'honours $ErrorActionPreference = ''Stop''' {
            $ErrorActionPreference = 'Stop'
            { $null = . $block } | Should -Throw -ErrorId $fullId
        }
    }
}

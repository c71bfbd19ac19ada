# Connect-SdClient over TLS through a real `sd listen`: the server checked against the right and a
# wrong CA, and mutual TLS with --client-ca (issue 4, "What it must show": TLS).

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module $env:SD_MODULE -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ListenerHelpers.psm1') -Force
    $script:certs = Join-Path $TestDrive 'certs'
    $script:otherCerts = Join-Path $TestDrive 'other'
    & $env:SD_BIN cert --out $certs | Out-Null
    & $env:SD_BIN cert --out $otherCerts | Out-Null
    $script:ca = Join-Path $certs 'ca.pem'
}

Describe 'One PEM file holding the certificate and its key' {
    Context 'Start-SdListener -Certificate and Connect-SdClient -Certificate, no -Key on either side' {
        BeforeAll {
            $env:XDG_RUNTIME_DIR = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'xdg')).FullName
            $script:serverPem = Join-Path $TestDrive 'server-with-key.pem'
            $script:clientPem = Join-Path $TestDrive 'client-with-key.pem'
            Get-Content (Join-Path $certs 'server.pem'), (Join-Path $certs 'server.key') | Set-Content $serverPem
            Get-Content (Join-Path $certs 'client.pem'), (Join-Path $certs 'client.key') | Set-Content $clientPem
            $script:job = Start-SdListener -Endpoint 'tls://127.0.0.1:0' -Certificate $serverPem -ClientCertificateAuthority $ca -Dispatchers 1 -Name combined -AsJob
            $script:port = (Get-SdListener -Name combined).Endpoints[0].Port
        }

        AfterAll {
            Get-SdClient | Disconnect-SdClient
            $job | Stop-Job
            $job | Remove-Job -Force
        }

        It 'runs the conversation over mutual TLS, as sd listen --cert does' {
            $client = Connect-SdClient "tls://localhost:$port" -CertificateAuthority $ca -Certificate $clientPem
            try {
                ($client | Receive-SdMessage -Timeout 10s).Command | Should -Be 'HI'
                $client | Send-SdMessage -Command DAD
                ($client | Receive-SdMessage -Timeout 10s).Command | Should -Be 'CLIMB'
            }
            finally { $client | Disconnect-SdClient }
        }
    }
}

Describe 'Connect-SdClient to sd listen over TLS' {
    Context 'a server whose certificate another CA issued' {
        BeforeAll {
            $script:listener = Start-SdTestListener -Folder $TestDrive -CertificateFolder $certs -Name wrongca -Dispatchers 1
        }

        AfterAll {
            Stop-SdProcess $listener
        }

        It 'fails with TlsHandshakeFailed and a message that says what to do' {
            $failure = $null
            try { Connect-SdClient "tls://localhost:$($listener.Port)" -CertificateAuthority (Join-Path $otherCerts 'ca.pem') -ErrorAction Stop }
            catch { $failure = $_ }
            $failure | Should -Not -BeNullOrEmpty
            $failure.FullyQualifiedErrorId | Should -Be 'TlsHandshakeFailed,SocketDispatcher.PowerShell.ConnectSdClientCommand'
            $failure.CategoryInfo.Category | Should -Be 'SecurityError'
            $failure.Exception.Message | Should -Match "tls://localhost:$($listener.Port): TLS handshake failed"
            $failure.Exception.Message | Should -Match 'check the server certificate against your CA, or pass -CertificateAuthority'
            $failure.Exception.Message | Should -Not -Match "`n"
        }

        It 'connects with the right CA, so the failure above was the CA' {
            $client = Connect-SdClient "tls://localhost:$($listener.Port)" -CertificateAuthority $ca
            try { ($client | Receive-SdMessage -Timeout 10s).Command | Should -Be 'HI' }
            finally { $client | Disconnect-SdClient }
        }
    }

    Context 'mutual TLS: sd listen --client-ca' {
        BeforeAll {
            $script:listener = Start-SdTestListener -Folder $TestDrive -CertificateFolder $certs -Name mutual -ExtraArguments '--client-ca', $ca
        }

        AfterAll {
            Get-SdClient | Disconnect-SdClient
            Stop-SdProcess $listener
        }

        It 'runs the conversation for a client with -Certificate and -Key' {
            $client = Connect-SdClient "tls://localhost:$($listener.Port)" -CertificateAuthority $ca -Certificate (Join-Path $certs 'client.pem') -Key (Join-Path $certs 'client.key')
            try {
                ($client | Receive-SdMessage -Timeout 10s).Command | Should -Be 'HI'
                $client | Send-SdMessage -Command DAD
                ($client | Receive-SdMessage -Timeout 10s).Command | Should -Be 'CLIMB'
            }
            finally { $client | Disconnect-SdClient }
        }

        It 'refuses a client without a certificate, and the dispatcher logs why' {
            $open = Connect-SdClient "tls://localhost:$($listener.Port)" -CertificateAuthority $ca -Certificate (Join-Path $certs 'client.pem') -Key (Join-Path $certs 'client.key')
            ($open | Receive-SdMessage -Timeout 10s).Command | Should -Be 'HI'

            # Under TLS 1.3 the client's side of the handshake may end before the server has checked
            # its (missing) certificate: then the refusal shows as a connection closed with no HI.
            $refused = $null
            $received = @()
            try {
                $bare = Connect-SdClient "tls://localhost:$($listener.Port)" -CertificateAuthority $ca -ErrorAction Stop
                $received = @($bare | Receive-SdMessage -Timeout 5s -ErrorAction SilentlyContinue)
                $bare | Disconnect-SdClient
            }
            catch { $refused = $_ }
            if ($refused) { $refused.FullyQualifiedErrorId | Should -Match '^(TlsHandshakeFailed|ConnectionReset|ConnectFailed)' }
            @($received | ForEach-Object Command) | Should -Not -Contain 'HI'
            Wait-SdCondition -Because 'the dispatcher logs the refused handshake' -State { Get-SdProcessOutput $listener -Stream Error } -Condition {
                (Get-SdProcessOutput $listener -Stream Error) -match 'dispatcher \d+: connection \d+ from 127\.0\.0\.1:\d+: TLS handshake failed: .*certificate'
            }

            # The connection that was open meanwhile is unharmed.
            $open | Send-SdMessage -Command TOP
            ($open | Receive-SdMessage -Timeout 10s).Command | Should -Be 'WHO'
            $open | Disconnect-SdClient
        }
    }
}

# Helpers for end-to-end tests of `sd listen`: a listener on port 0 in a test folder, its STATUS,
# and conversations over real TLS (SslStream, or the openssl command-line client).
#     Import-Module (Join-Path $PSScriptRoot 'ListenerHelpers.psm1') -Force

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')

function Get-SdTestStatus {
    <#
    .SYNOPSIS
        Asks a listener's control endpoint for STATUS (`sd status --json`) and returns the parameters
        as an object, with Dispatchers parsed from its JSON.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Control)
    $json = & $env:SD_BIN status --control $Control --json 2>&1
    if ($LASTEXITCODE -ne 0) { throw "sd status failed ($LASTEXITCODE): $json" }
    $parameters = ($json | ConvertFrom-Json).parameters
    [pscustomobject]@{
        Endpoints   = @($parameters.endpoints | ConvertFrom-Json)
        Accepted    = [long] $parameters.accepted
        Handed      = [long] $parameters.handed
        Rehanded    = [long] $parameters.rehanded
        Dispatchers = @($parameters.dispatchers | ConvertFrom-Json)
    }
}

function Start-SdTestListener {
    <#
    .SYNOPSIS
        Starts `sd listen` on port 0 with its runtime directory under -Folder, waits until
        -Dispatchers dispatchers are ready, and returns the process with Port, Endpoint, Control
        and RuntimeDirectory.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Folder,
        [ValidateSet('tcp', 'tls')] [string] $Scheme = 'tls',
        [int] $Dispatchers = 2,
        [string] $CertificateFolder,
        [string] $Name = 'listener',
        [string] $DrainTimeout = '5s',
        [string[]] $ExtraArguments = @()
    )
    $runtime = Join-Path $Folder "$Name.run"
    $arguments = @('listen', '--endpoint', "${Scheme}://127.0.0.1:0", '--dispatchers', $Dispatchers, '--runtime-dir', $runtime, '--drain-timeout', $DrainTimeout) + $ExtraArguments
    if ($Scheme -eq 'tls') { $arguments += @('--cert', (Join-Path $CertificateFolder 'server.pem'), '--key', (Join-Path $CertificateFolder 'server.key')) }
    $process = Start-SdProcess -ArgumentList $arguments -OutputDirectory $Folder -Name $Name
    $control = "unix:$runtime/control.sock"
    $status = Wait-SdCondition -TimeoutSeconds 30 -Because "$Dispatchers dispatchers are ready" -State { Get-SdProcessOutput $process -Stream All } -Condition {
        if (-not (Test-Path "$runtime/control.sock")) { return $null }
        $s = Get-SdTestStatus -Control $control
        if (@($s.Dispatchers | Where-Object state -EQ 'ready').Count -ge $Dispatchers) { $s }
    }
    $endpoint = $status.Endpoints[0]
    $process | Add-Member -NotePropertyMembers @{
        Endpoint         = $endpoint
        Port             = [int] ($endpoint -replace '^.*:', '')
        Control          = $control
        RuntimeDirectory = $runtime
    } -PassThru
}

function Connect-SdTestTls {
    <#
    .SYNOPSIS
        Opens a TLS connection verified against -CaFile, returning Reader, Writer and a Close method.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [int] $Port, [Parameter(Mandatory)] [string] $CaFile, [string] $TargetHost = '127.0.0.1')
    $tcp = [System.Net.Sockets.TcpClient]::new()
    if (-not $tcp.ConnectAsync('127.0.0.1', $Port).Wait(10000)) { throw "no TCP connection to port $Port within 10 s" }
    $ca = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem([System.IO.File]::ReadAllText($CaFile))
    $policy = [System.Security.Cryptography.X509Certificates.X509ChainPolicy]::new()
    $policy.TrustMode = 'CustomRootTrust'
    $policy.RevocationMode = 'NoCheck'
    $null = $policy.CustomTrustStore.Add($ca)
    $options = [System.Net.Security.SslClientAuthenticationOptions]::new()
    $options.TargetHost = $TargetHost
    $options.CertificateChainPolicy = $policy
    $ssl = [System.Net.Security.SslStream]::new($tcp.GetStream())
    if (-not $ssl.AuthenticateAsClientAsync($options).Wait(10000)) { throw 'no TLS handshake within 10 s' }
    $writer = [System.IO.StreamWriter]::new($ssl)
    $writer.NewLine = "`n"
    $writer.AutoFlush = $true
    [pscustomobject]@{ Ssl = $ssl; Tcp = $tcp; Reader = [System.IO.StreamReader]::new($ssl); Writer = $writer } |
        Add-Member -MemberType ScriptMethod -Name Close -Value { $this.Ssl.Dispose(); $this.Tcp.Dispose() } -PassThru
}

function Read-SdTestLine {
    <# .SYNOPSIS Reads one line from a Connect-SdTestTls connection, failing after -TimeoutSeconds. #>
    param([Parameter(Mandatory)] $Connection, [double] $TimeoutSeconds = 10)
    $task = $Connection.Reader.ReadLineAsync()
    if (-not $task.Wait([int] ($TimeoutSeconds * 1000))) { throw "no line within $TimeoutSeconds s" }
    $task.Result
}

function Invoke-SdTestConversation {
    <#
    .SYNOPSIS
        Connects over TLS (Connect-SdTestTls), reads the greeting, sends each of -Lines and reads one
        answer to each, closes, and returns the greeting followed by the answers.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [int] $Port,
        [Parameter(Mandatory)] [string] $CaFile,
        [string[]] $Lines = @(),
        [string] $TargetHost = '127.0.0.1'
    )
    $c = Connect-SdTestTls -Port $Port -CaFile $CaFile -TargetHost $TargetHost
    try {
        Read-SdTestLine $c
        foreach ($line in $Lines) {
            $c.Writer.WriteLine($line)
            Read-SdTestLine $c
        }
    }
    finally { $c.Close() }
}

function Invoke-SdOpenSslConversation {
    <#
    .SYNOPSIS
        Runs `openssl s_client` against 127.0.0.1:Port, verifying the server with -CaFile, sends
        -Lines after the first line arrives, and returns every line received until one matches
        -Until (bounded by -TimeoutSeconds).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [int] $Port,
        [Parameter(Mandatory)] [string] $CaFile,
        [string[]] $Lines = @(),
        [Parameter(Mandatory)] [string] $Until,
        [double] $TimeoutSeconds = 15
    )
    $info = [System.Diagnostics.ProcessStartInfo]::new('openssl')
    foreach ($a in 's_client', '-connect', "127.0.0.1:$Port", '-CAfile', $CaFile, '-verify_return_error', '-quiet', '-no_ign_eof') { $info.ArgumentList.Add($a) }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $errors = $process.StandardError.ReadToEndAsync()
    $received = [System.Collections.Generic.List[string]]::new()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    try {
        $sent = $false
        while ($true) {
            $left = [int] [Math]::Max(0, ($deadline - [DateTime]::UtcNow).TotalMilliseconds)
            $read = $process.StandardOutput.ReadLineAsync()
            if (-not $read.Wait($left)) { throw "openssl s_client: no '$Until' within $TimeoutSeconds s; received: $($received -join ' | ')" }
            if ($null -eq $read.Result) { throw "openssl s_client ended before '$Until'; received: $($received -join ' | '); stderr: $($errors.Result)" }
            $received.Add($read.Result)
            if ($read.Result -match $Until) { return $received.ToArray() }
            if (-not $sent) {
                foreach ($line in $Lines) { $process.StandardInput.Write("$line`n") }
                $process.StandardInput.Flush()
                $sent = $true
            }
        }
    }
    finally {
        $process.StandardInput.Close()
        if (-not $process.WaitForExit(5000)) { $process.Kill($true) }
        $process.Dispose()
    }
}

function Get-SdChildProcessId {
    <# .SYNOPSIS The pids of the processes whose parent is -ParentId (from /proc). #>
    param([Parameter(Mandatory)] [int] $ParentId)
    foreach ($stat in Get-ChildItem /proc -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$') {
        $text = try { [System.IO.File]::ReadAllText("$($stat.FullName)/stat") } catch { $null }
        if ($text -and [int] ($text.Substring($text.LastIndexOf(')') + 2).Split(' ')[1]) -eq $ParentId) { [int] $stat.Name }
    }
}

Export-ModuleMember -Function Get-SdTestStatus, Start-SdTestListener, Connect-SdTestTls, Read-SdTestLine, Invoke-SdTestConversation, Invoke-SdOpenSslConversation, Get-SdChildProcessId

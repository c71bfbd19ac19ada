# Helpers shared by the end-to-end Pester files: bounded waits, free ports, and `sd` processes whose
# output goes to files. Import with:
#     Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
# The module under test and the binary come from the environment that build.ps1 sets:
# SD_MODULE (full path of SocketDispatcher.psd1) and SD_BIN (full path of `sd`).

Set-StrictMode -Version Latest

function Wait-SdCondition {
    <#
    .SYNOPSIS
        Polls a condition until it returns a true value, and returns that value.
    .DESCRIPTION
        Use it instead of a fixed sleep to wait for readiness (a port open, a line in a log, a
        process gone). On timeout it throws with the -Because text and the last observed state:
        the -State script's output if given, else the condition's last value or error.
    .EXAMPLE
        Wait-SdCondition -Because 'the listener says it is ready' -Condition {
            (Get-SdProcessOutput $listener) -match 'listening'
        }
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [scriptblock] $Condition,

        [ValidateRange(0.1, 3600)]
        [double] $TimeoutSeconds = 10,

        # What is being waited for, in words: it leads the timeout message.
        [Parameter(Mandatory)]
        [string] $Because,

        [ValidateRange(10, 5000)]
        [int] $IntervalMilliseconds = 50,

        # Describes the state to report on timeout (for example a process's output).
        [scriptblock] $State
    )
    $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        $conditionError = $null
        $value = $null
        try {
            $value = & $Condition
        }
        catch {
            $conditionError = $_
        }
        if ($value) { return $value }
        if ($stopwatch.Elapsed.TotalSeconds -ge $TimeoutSeconds) {
            $observed = if ($State) {
                try { (& $State | Out-String).Trim() } catch { "(the -State script failed: $_)" }
            }
            elseif ($conditionError) {
                "the condition threw: $conditionError"
            }
            else {
                'the condition returned ' + $(if ($null -eq $value) { '$null' } else { "'$(($value | Out-String).Trim())'" })
            }
            throw ('Timed out after {0:N1} s waiting until {1}. Last observed: {2}' -f $stopwatch.Elapsed.TotalSeconds, $Because, $observed)
        }
        Start-Sleep -Milliseconds $IntervalMilliseconds
    }
}

function Get-SdFreeTcpPort {
    <#
    .SYNOPSIS
        Returns a TCP port that was free a moment ago on a loopback address.
    .DESCRIPTION
        Binds a listener to port 0, reads the port the kernel chose, and closes it. Another process
        may take the port before the test binds it; where the product can bind port 0 and report
        the port, prefer that.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param(
        # The address to bind; [::1] for IPv6.
        [System.Net.IPAddress] $Address = [System.Net.IPAddress]::Loopback
    )
    $listener = [System.Net.Sockets.TcpListener]::new($Address, 0)
    $listener.Start()
    try {
        ([System.Net.IPEndPoint] $listener.LocalEndpoint).Port
    }
    finally {
        $listener.Stop()
    }
}

function Start-SdProcess {
    <#
    .SYNOPSIS
        Starts `sd` (or another program) with its standard output and error going to files.
    .DESCRIPTION
        The files are opened by /bin/sh before it execs the program, so the returned process is
        the program itself and what it writes is in the files at once (nothing buffered in this
        session). Standard input is /dev/null. Stop it with Stop-SdProcess in AfterAll.
    .OUTPUTS
        An object with Name, Process, Id, StandardOutputPath, StandardErrorPath and ArgumentList.
    #>
    [CmdletBinding()]
    param(
        [string[]] $ArgumentList = @(),

        # The folder for <Name>.out.txt and <Name>.err.txt (use $TestDrive or a folder under it).
        [Parameter(Mandatory)]
        [string] $OutputDirectory,

        # Names the output files and appears in messages; must be unique within OutputDirectory.
        [ValidatePattern('^[A-Za-z0-9_.-]+$')]
        [string] $Name = 'sd',

        [string] $FilePath = $env:SD_BIN,

        [string] $WorkingDirectory = $OutputDirectory,

        # Variables added to the child's environment.
        [hashtable] $Environment = @{}
    )
    if (-not $FilePath) { throw 'Start-SdProcess: no -FilePath and SD_BIN is not set (run the tests through ./build.ps1 Test).' }
    $null = New-Item -ItemType Directory -Path $OutputDirectory -Force
    $outPath = Join-Path $OutputDirectory "$Name.out.txt"
    $errPath = Join-Path $OutputDirectory "$Name.err.txt"

    $info = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    $info.UseShellExecute = $false
    $info.WorkingDirectory = $WorkingDirectory
    foreach ($a in @('-c', 'out=$1; err=$2; shift 2; exec "$@" <"/dev/null" >"$out" 2>"$err"', 'sh', $outPath, $errPath, $FilePath) + $ArgumentList) {
        $info.ArgumentList.Add($a)
    }
    foreach ($key in $Environment.Keys) {
        $info.Environment[[string] $key] = [string] $Environment[$key]
    }
    $process = [System.Diagnostics.Process]::Start($info)
    [pscustomobject]@{
        PSTypeName         = 'SdTestProcess'
        Name               = $Name
        Process            = $process
        Id                 = $process.Id
        StandardOutputPath = $outPath
        StandardErrorPath  = $errPath
        ArgumentList       = $ArgumentList
    }
}

function Stop-SdProcess {
    <#
    .SYNOPSIS
        Stops a process started by Start-SdProcess (and its children), and waits for it, bounded.
    .DESCRIPTION
        With -GraceSeconds, sends SIGTERM first and gives the process that long to exit by itself
        before killing the tree. Safe to call on a process that has already exited. Returns
        nothing; throws if the process is still there after -TimeoutSeconds.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [AllowNull()]
        [object] $InputObject,

        [ValidateRange(0, 600)]
        [double] $GraceSeconds = 0,

        [ValidateRange(0.1, 600)]
        [double] $TimeoutSeconds = 10
    )
    process {
        if ($null -eq $InputObject) { return }
        $process = if ($InputObject -is [System.Diagnostics.Process]) { $InputObject } else { $InputObject.Process }
        $name = if ($InputObject.PSObject.Properties['Name']) { $InputObject.Name } else { 'process' }
        if ($process.HasExited) {
            $process.WaitForExit()
            return
        }
        if ($GraceSeconds -gt 0) {
            & kill -TERM $process.Id 2>$null
            if ($process.WaitForExit([int] ($GraceSeconds * 1000))) {
                $process.WaitForExit()
                return
            }
        }
        try {
            $process.Kill($true)
        }
        catch [System.InvalidOperationException] {
            # It exited between the check and the kill.
        }
        if (-not $process.WaitForExit([int] ($TimeoutSeconds * 1000))) {
            throw "Stop-SdProcess: $name (pid $($process.Id)) is still running $TimeoutSeconds s after being killed."
        }
        $process.WaitForExit()
    }
}

function Get-SdProcessOutput {
    <#
    .SYNOPSIS
        Returns what a process started by Start-SdProcess has written so far, as one string.
    .PARAMETER Stream
        Output (standard output, the default), Error (standard error), or All (both, labelled:
        handy in failure messages).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [object] $InputObject,

        [ValidateSet('Output', 'Error', 'All')]
        [string] $Stream = 'Output'
    )
    process {
        $read = {
            param([string] $Path)
            if (-not (Test-Path -LiteralPath $Path)) { return '' }
            # The writer still has the file open: share it for reading.
            $file = [System.IO.File]::Open($Path, 'Open', 'Read', 'ReadWrite, Delete')
            try {
                [System.IO.StreamReader]::new($file).ReadToEnd()
            }
            finally {
                $file.Dispose()
            }
        }
        switch ($Stream) {
            'Output' { & $read $InputObject.StandardOutputPath }
            'Error' { & $read $InputObject.StandardErrorPath }
            'All' {
                $state = if ($InputObject.Process.HasExited) { "exited with $($InputObject.Process.ExitCode)" } else { 'running' }
                "--- $($InputObject.Name) (pid $($InputObject.Id), $state) stdout ---`n" +
                (& $read $InputObject.StandardOutputPath) +
                "`n--- $($InputObject.Name) stderr ---`n" +
                (& $read $InputObject.StandardErrorPath)
            }
        }
    }
}

Export-ModuleMember -Function Wait-SdCondition, Get-SdFreeTcpPort, Start-SdProcess, Stop-SdProcess, Get-SdProcessOutput

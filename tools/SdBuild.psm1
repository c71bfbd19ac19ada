# The helpers of build.ps1: native commands with checked exit codes, the fingerprint of the build's
# inputs, the check of the published module folder, and the Debian packages the tests and the
# benchmark need. build.ps1 keeps the tasks; tools/SdTestRunner.psm1 runs the tests.

Set-StrictMode -Version Latest
# A module does not see the preferences of the script that imports it: set them here.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
# Exit codes of native commands are checked explicitly, each with a message that names the command.
$PSNativeCommandUseErrorActionPreference = $false

# Debian packages that give the end-to-end tests real peers, by the command each one provides
# (.ci/run installs the same list).
$TestToolPackages = [ordered]@{
    openssl   = 'openssl'
    socat     = 'socat'
    strace    = 'strace'
    logrotate = 'logrotate'
}
# Debian packages the benchmark needs, by the command or file each one provides: a C compiler
# and OpenSSL headers for the reference and the load generator, and the peers it compares with.
$BenchToolPackages = [ordered]@{
    'cc'                         = 'gcc'
    '/usr/include/openssl/ssl.h' = 'libssl-dev'
    'node'                       = 'nodejs'
    'redis-server'               = 'redis-server'
    'redis-benchmark'            = 'redis-tools'
}

function Write-Step([string] $Text) {
    Write-Host "==> $Text"
}

function Format-CommandLine([string] $FilePath, [string[]] $ArgumentList) {
    $quoted = foreach ($a in @($FilePath) + $ArgumentList) {
        if ($a -match '[\s"'']') { "'" + ($a -replace "'", "''") + "'" } else { $a }
    }
    $quoted -join ' '
}

# Runs a native command with its output on the console; throws when it exits non-zero, unless
# -AllowFailure, in which case the exit code is returned.
function Invoke-Native {
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [switch] $AllowFailure
    )
    $line = Format-CommandLine $FilePath $ArgumentList
    Write-Host "> $line"
    & $FilePath @ArgumentList | Out-Host
    $code = $LASTEXITCODE
    if ($AllowFailure) { return $code }
    if ($code -ne 0) { throw "'$line' failed with exit code $code." }
}

# Runs a native command and returns its standard output lines; throws when it exits non-zero.
function Get-NativeOutput {
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @()
    )
    $output = & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$(Format-CommandLine $FilePath $ArgumentList)' failed with exit code $LASTEXITCODE."
    }
    $output
}

# A fingerprint of everything the published folder is made from: paths, sizes and write times of
# the sources (bin/ and obj/ excluded), the module files, the help pages, these tools, the shared
# MSBuild files and build.ps1.
function Get-BuildInputHash([Parameter(Mandatory)] [string] $RepoRoot) {
    $files = [System.Collections.Generic.List[System.IO.FileInfo]]::new()
    foreach ($folder in 'src', 'module', 'docs/cmdlets', 'tools') {
        $root = Join-Path $RepoRoot $folder
        if (Test-Path $root) {
            Get-ChildItem -Path $root -Recurse -File -Force |
                Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' } |
                ForEach-Object { $files.Add($_) }
        }
    }
    foreach ($name in 'Directory.Build.props', 'Directory.Build.targets', 'Directory.Packages.props',
        'global.json', 'NuGet.config', 'nuget.config', 'build.ps1') {
        $path = Join-Path $RepoRoot $name
        if (Test-Path $path -PathType Leaf) { $files.Add((Get-Item $path)) }
    }
    $lines = $files |
        ForEach-Object {
            '{0}|{1}|{2}' -f [System.IO.Path]::GetRelativePath($RepoRoot, $_.FullName), $_.Length, $_.LastWriteTimeUtc.Ticks
        } |
        Sort-Object -CaseSensitive
    $bytes = [System.Text.Encoding]::UTF8.GetBytes(($lines -join "`n"))
    [System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($bytes))
}

# The files of $RequiredFile that $ModuleFolder lacks.
function Get-MissingModuleFiles([string] $ModuleFolder, [string[]] $RequiredFile) {
    foreach ($name in $RequiredFile) {
        if (-not (Test-Path (Join-Path $ModuleFolder $name) -PathType Leaf)) { $name }
    }
}

# Throws unless $ModuleFolder is deployable: every required file, native libraries next to the
# assemblies (a binary module does not probe runtimes/<rid>/native/), an executable sd, and a
# manifest whose root module is the assembly.
function Assert-ModuleFolder([string] $ModuleFolder, [string[]] $RequiredFile, [string] $RuntimeId) {
    $missing = @(Get-MissingModuleFiles $ModuleFolder $RequiredFile)
    if ($missing.Count -gt 0) {
        throw "The module folder $ModuleFolder lacks: $($missing -join ', ')."
    }
    if (Test-Path (Join-Path $ModuleFolder 'runtimes')) {
        throw "The module folder $ModuleFolder has a runtimes/ subfolder: publish with -r $RuntimeId so that native libraries land next to the assemblies."
    }
    $sd = Get-Item (Join-Path $ModuleFolder 'sd')
    if (-not ($sd.UnixFileMode -band [System.IO.UnixFileMode]::UserExecute)) {
        throw "$($sd.FullName) is not executable."
    }
    $manifest = Import-PowerShellDataFile -Path (Join-Path $ModuleFolder 'SocketDispatcher.psd1')
    if ($manifest.RootModule -ne 'SocketDispatcher.dll') {
        throw "The manifest's RootModule is '$($manifest.RootModule)', expected 'SocketDispatcher.dll'."
    }
}

function Test-IsRoot {
    (Get-NativeOutput id @('-u')) -eq '0'
}

# Installs Debian packages for a task, quietly; throws with the command to run when not root.
# $Purpose begins that error message: "The tests need", "The benchmark needs".
function Install-DebianPackages([string] $Purpose, [string[]] $Packages) {
    if (-not (Test-IsRoot)) {
        throw "$Purpose these Debian packages: $($Packages -join ' '). Install them with: sudo apt-get install -y $($Packages -join ' ')"
    }
    Write-Step "installing $($Packages -join ' ')"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    foreach ($arguments in @(@('update', '-qq'), @(@('install', '-y', '-qq', '--no-install-recommends') + $Packages))) {
        # dpkg's progress lines drown the task's output: show them only when something went wrong.
        $output = & apt-get @arguments 2>&1
        if ($LASTEXITCODE -ne 0) {
            $output | Out-Host
            throw "'apt-get $($arguments -join ' ')' failed with exit code $LASTEXITCODE."
        }
    }
}

function Assert-TestTools {
    $missing = @(foreach ($command in $TestToolPackages.Keys) {
            # logrotate lives in /usr/sbin, which is not on every user's PATH.
            if (-not (Get-Command $command -CommandType Application -ErrorAction Ignore) -and
                -not (Test-Path "/usr/sbin/$command")) {
                $TestToolPackages[$command]
            }
        })
    if ($missing.Count -eq 0) { return }
    Install-DebianPackages 'The tests need' $missing
}

function Assert-BenchTools {
    $missing = @(foreach ($need in $BenchToolPackages.Keys) {
            $present = if ($need.StartsWith('/')) { Test-Path $need -PathType Leaf } else { [bool](Get-Command $need -CommandType Application -ErrorAction Ignore) }
            if (-not $present) { $BenchToolPackages[$need] }
        })
    if ($missing.Count -eq 0) { return }
    Install-DebianPackages 'The benchmark needs' $missing
}

Export-ModuleMember -Function Write-Step, Invoke-Native, Get-NativeOutput, Get-BuildInputHash,
    Get-MissingModuleFiles, Assert-ModuleFolder, Assert-TestTools, Assert-BenchTools

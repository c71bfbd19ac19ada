@{
    # The binary module: cmdlets live in SocketDispatcher.dll, which loads SocketDispatcher.Core.dll
    # (and its Microsoft.Extensions.Logging assemblies) from this same flat folder; `sd` sits next to them.
    RootModule           = 'SocketDispatcher.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '04fb8310-f5b4-44c7-a5b1-06927bfc8f3e'
    Author               = 'SocketDispatcher contributors'
    CompanyName          = 'SocketDispatcher contributors'
    Copyright            = '(c) SocketDispatcher contributors.'
    Description          = 'Multi-process socket servers on Linux: a listener accepts TCP/TLS connections and hands each socket to dispatcher processes over AF_UNIX with SCM_RIGHTS; clients, signals and messages in the eventdispatcher line format.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'

    # Listed by name (no wildcards) so that command discovery does not have to load the assembly.
    CmdletsToExport      = @(
        'Start-SdListener'
        'Get-SdListener'
        'Stop-SdListener'
        'Start-SdDispatcher'
        'Connect-SdClient'
        'Send-SdMessage'
        'Receive-SdMessage'
        'Disconnect-SdClient'
        'Get-SdClient'
        'New-SdCertificate'
        'New-SdMessage'
        'ConvertFrom-SdMessage'
        'New-SdSocketPair'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()

    FormatsToProcess     = @('SocketDispatcher.Format.ps1xml')

    PrivateData          = @{
        PSData = @{
            Tags         = @('Socket', 'Server', 'TLS', 'UnixDomainSocket', 'SCM_RIGHTS', 'Linux', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/socketdispatcher/socketdispatcher'
            ReleaseNotes = @'
0.1.0: first preview; Linux only.
- Listener and dispatchers: Start-SdListener, Start-SdDispatcher (both with -AsJob), Get-SdListener, Stop-SdListener.
- Clients and messages: Connect-SdClient (-Permanent), Send-SdMessage, Receive-SdMessage, Disconnect-SdClient,
  Get-SdClient, New-SdMessage, ConvertFrom-SdMessage, New-SdSocketPair, New-SdCertificate.
- Help for every cmdlet (Get-Help <cmdlet> -Full, about_SocketDispatcher), table views, argument completion.
'@
        }
    }
}

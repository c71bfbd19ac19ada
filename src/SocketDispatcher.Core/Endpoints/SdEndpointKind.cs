namespace SocketDispatcher;

/// <summary>The scheme of an endpoint: what comes before <c>://</c> or <c>:</c> in its text.</summary>
public enum SdEndpointKind
{
    /// <summary><c>tcp://host:port</c>: TCP stream over IPv4 or IPv6.</summary>
    Tcp,
    /// <summary><c>tls://host:port</c>: TCP stream with TLS.</summary>
    Tls,
    /// <summary><c>udp://host:port</c>: UDP datagrams.</summary>
    Udp,
    /// <summary><c>unix:/path</c> or <c>unix:@name</c> (abstract): AF_UNIX stream.</summary>
    Unix,
    /// <summary><c>unixgram:/path</c> or <c>unixgram:@name</c> (abstract): AF_UNIX datagrams.</summary>
    UnixDatagram,
}

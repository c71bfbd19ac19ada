using System.Net;
using System.Net.Sockets;

namespace SocketDispatcher;

/// <summary>
/// An endpoint in SocketDispatcher's one string form (design.md section 3): <c>tcp://127.0.0.1:3001</c>,
/// <c>tcp://[::1]:3001</c>, <c>tls://localhost:3001</c>, <c>udp://127.0.0.1:3002</c>,
/// <c>unix:/run/sd/x.sock</c>, <c>unix:@name</c>, <c>unixgram:/path</c>, <c>unixgram:@name</c>.
/// Immutable; <see cref="ToString"/> prints the same text back. STUB: parsing to be completed.
/// </summary>
public sealed class SdEndpoint : IEquatable<SdEndpoint>
{
    private SdEndpoint(SdEndpointKind kind, string? host, int port, string? path, bool isAbstract)
    {
        Kind = kind;
        Host = host;
        Port = port;
        Path = path;
        IsAbstract = isAbstract;
    }

    /// <summary>The scheme.</summary>
    public SdEndpointKind Kind { get; }

    /// <summary>The host (an IP literal without brackets, or a name) for tcp, tls and udp; null for AF_UNIX.</summary>
    public string? Host { get; }

    /// <summary>The port (0 to 65535; 0 binds a free port) for tcp, tls and udp; 0 for AF_UNIX.</summary>
    public int Port { get; }

    /// <summary>The socket path, or the abstract name without its <c>@</c>, for AF_UNIX; null otherwise.</summary>
    public string? Path { get; }

    /// <summary>Whether an AF_UNIX endpoint is in the abstract namespace (<c>unix:@name</c>, see unix(7)).</summary>
    public bool IsAbstract { get; }

    /// <summary>Whether the endpoint is a byte stream (tcp, tls, unix) rather than datagrams.</summary>
    public bool IsStream => Kind is SdEndpointKind.Tcp or SdEndpointKind.Tls or SdEndpointKind.Unix;

    /// <summary>Whether the endpoint is AF_UNIX (unix or unixgram).</summary>
    public bool IsUnix => Kind is SdEndpointKind.Unix or SdEndpointKind.UnixDatagram;

    /// <summary>Reads an endpoint.</summary>
    /// <param name="text">The endpoint text.</param>
    /// <exception cref="SdException">Kind InvalidArgument, reason <c>EndpointInvalid</c>: one line naming the bad part.</exception>
    public static SdEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            var rest = text["unix:".Length..];
            return rest.StartsWith('@') ? new(SdEndpointKind.Unix, null, 0, rest[1..], true) : new(SdEndpointKind.Unix, null, 0, rest, false);
        }

        var uri = new Uri(text);
        var kind = uri.Scheme switch { "tcp" => SdEndpointKind.Tcp, "tls" => SdEndpointKind.Tls, "udp" => SdEndpointKind.Udp, _ => throw new SdException(SdErrorKind.InvalidArgument, "EndpointInvalid", $"endpoint '{text}': unknown scheme") };
        return new(kind, uri.Host.Trim('[', ']'), uri.Port, null, false);
    }

    /// <summary>An AF_UNIX endpoint for a path.</summary>
    /// <param name="path">The socket path.</param>
    /// <param name="datagram">Whether it is <c>unixgram:</c> rather than <c>unix:</c>.</param>
    public static SdEndpoint ForUnixPath(string path, bool datagram = false)
        => new(datagram ? SdEndpointKind.UnixDatagram : SdEndpointKind.Unix, null, 0, path, false);

    /// <summary>The same endpoint with another port (for example the port a listener bound for port 0).</summary>
    public SdEndpoint WithPort(int port) => new(Kind, Host, port, Path, IsAbstract);

    /// <summary>
    /// The socket address: an <see cref="IPEndPoint"/> for an IP literal, a <see cref="DnsEndPoint"/> for a
    /// host name, a <see cref="UnixDomainSocketEndPoint"/> for AF_UNIX (abstract names start with NUL).
    /// </summary>
    public EndPoint ToEndPoint()
    {
        if (IsUnix) return new UnixDomainSocketEndPoint(IsAbstract ? "\0" + Path : Path!);
        return IPAddress.TryParse(Host, out var ip) ? new IPEndPoint(ip, Port) : new DnsEndPoint(Host!, Port);
    }

    /// <summary>The endpoint text, in the form <see cref="Parse"/> reads.</summary>
    public override string ToString()
    {
        if (IsUnix) return (Kind == SdEndpointKind.Unix ? "unix:" : "unixgram:") + (IsAbstract ? "@" : string.Empty) + Path;
        var scheme = Kind switch { SdEndpointKind.Tcp => "tcp", SdEndpointKind.Tls => "tls", _ => "udp" };
        var host = Host!.Contains(':') ? $"[{Host}]" : Host;
        return $"{scheme}://{host}:{Port}";
    }

    /// <inheritdoc/>
    public bool Equals(SdEndpoint? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SdEndpoint);

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}

using System.Net;
using System.Net.Sockets;

namespace SocketDispatcher;

/// <summary>
/// An endpoint in SocketDispatcher's one string form (tests/Unit/Endpoints/SdEndpointParseTests.cs holds every form): <c>tcp://127.0.0.1:3001</c>,
/// <c>tcp://[::1]:3001</c>, <c>tls://localhost:3001</c>, <c>udp://127.0.0.1:3002</c>,
/// <c>unix:/run/sd/x.sock</c>, <c>unix:relative/x.sock</c>, <c>unix:@name</c>, <c>unixgram:/path</c>,
/// <c>unixgram:@name</c>.
/// </summary>
/// <remarks>
/// Immutable. <see cref="ToString"/> prints the canonical text, which <see cref="Parse"/> reads back to an
/// equal endpoint: the scheme and host names in lower case, IPv6 addresses in RFC 5952 form inside
/// brackets, the port without leading zeros. Two endpoints are equal when their canonical texts are.
/// </remarks>
public sealed partial class SdEndpoint : IEquatable<SdEndpoint>
{
    private readonly IPAddress? _address;
    private readonly string _text;

    private SdEndpoint(SdEndpointKind kind, string? host, int port, string? path, bool isAbstract, IPAddress? address = null)
    {
        Kind = kind;
        Host = host;
        Port = port;
        Path = path;
        IsAbstract = isAbstract;
        _address = address;
        _text = Format(kind, host, port, path, isAbstract);
    }

    /// <summary>The scheme.</summary>
    public SdEndpointKind Kind { get; }

    /// <summary>
    /// The host for tcp, tls and udp: an IP literal without brackets (IPv6 in RFC 5952 form, with its
    /// <c>%scope</c> if any) or a lower-case host name; null for AF_UNIX.
    /// </summary>
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

    /// <summary>An AF_UNIX endpoint for a file system path (absolute or relative).</summary>
    /// <param name="path">The socket path: 1 to 107 bytes in UTF-8, no control characters, not starting with <c>@</c>.</param>
    /// <param name="datagram">Whether it is <c>unixgram:</c> rather than <c>unix:</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="SdException">Kind InvalidArgument, reason <c>EndpointInvalid</c>: the path is empty, too long
    /// for <c>sun_path</c> (unix(7)), or starts with <c>@</c> (use <see cref="ForUnixAbstractName"/>).</exception>
    public static SdEndpoint ForUnixPath(string path, bool datagram = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        var kind = datagram ? SdEndpointKind.UnixDatagram : SdEndpointKind.Unix;
        var text = SchemeText(kind) + path;
        // "@x" would print as unix:@x, which reads back as an abstract name: refuse rather than change meaning.
        if (path.StartsWith('@'))
            throw Invalid($"endpoint '{Show(text)}': a path starting with '@' reads as an abstract name; write './{Show(path)}' for a file, or use ForUnixAbstractName");
        var error = CheckUnixName(text, path, isAbstract: false);
        return error is null ? new(kind, null, 0, path, false) : throw Invalid(error);
    }

    /// <summary>An AF_UNIX endpoint in the abstract namespace (<c>unix:@name</c>, unix(7)).</summary>
    /// <param name="name">The name without the leading NUL or <c>@</c>: 1 to 107 bytes in UTF-8, no control characters.</param>
    /// <param name="datagram">Whether it is <c>unixgram:</c> rather than <c>unix:</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="SdException">Kind InvalidArgument, reason <c>EndpointInvalid</c>: the name is empty or too long.</exception>
    public static SdEndpoint ForUnixAbstractName(string name, bool datagram = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        var kind = datagram ? SdEndpointKind.UnixDatagram : SdEndpointKind.Unix;
        var error = CheckUnixName(SchemeText(kind) + "@" + name, name, isAbstract: true);
        return error is null ? new(kind, null, 0, name, true) : throw Invalid(error);
    }

    /// <summary>The same endpoint with another port (for example the port a listener bound for port 0).</summary>
    /// <param name="port">The port, 0 to 65535.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0 to 65535.</exception>
    /// <exception cref="InvalidOperationException">The endpoint is AF_UNIX, which has no port.</exception>
    public SdEndpoint WithPort(int port)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        if (IsUnix) throw new InvalidOperationException($"endpoint '{_text}' is AF_UNIX and has no port");
        return new(Kind, Host, port, Path, IsAbstract, _address);
    }

    /// <summary>
    /// The socket address: an <see cref="IPEndPoint"/> for an IP literal, a <see cref="DnsEndPoint"/> for a
    /// host name, a <see cref="UnixDomainSocketEndPoint"/> for AF_UNIX (abstract names start with NUL).
    /// </summary>
    public EndPoint ToEndPoint()
    {
        if (IsUnix) return new UnixDomainSocketEndPoint(IsAbstract ? "\0" + Path : Path!);
        return _address is not null ? new IPEndPoint(_address, Port) : new DnsEndPoint(Host!, Port);
    }

    /// <summary>The canonical endpoint text, in the form <see cref="Parse"/> reads.</summary>
    public override string ToString() => _text;

    /// <inheritdoc/>
    public bool Equals(SdEndpoint? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SdEndpoint);

    /// <inheritdoc/>
    public override int GetHashCode() => _text.GetHashCode(StringComparison.Ordinal);

    private static string SchemeText(SdEndpointKind kind) => kind switch
    {
        SdEndpointKind.Tcp => "tcp://",
        SdEndpointKind.Tls => "tls://",
        SdEndpointKind.Udp => "udp://",
        SdEndpointKind.Unix => "unix:",
        _ => "unixgram:",
    };

    private static string Format(SdEndpointKind kind, string? host, int port, string? path, bool isAbstract)
    {
        if (kind is SdEndpointKind.Unix or SdEndpointKind.UnixDatagram)
            return SchemeText(kind) + (isAbstract ? "@" : string.Empty) + path;
        // Only IPv6 literals contain ':'; RFC 3986 section 3.2.2 puts them in brackets.
        var shownHost = host!.Contains(':') ? "[" + host + "]" : host;
        return SchemeText(kind) + shownHost + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

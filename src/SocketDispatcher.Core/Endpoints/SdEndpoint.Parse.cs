using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;

namespace SocketDispatcher;

/// <content>Reading the endpoint text, with one-line errors that name the bad part.</content>
public sealed partial class SdEndpoint
{
    /// <summary>
    /// The longest AF_UNIX path or abstract name, in bytes: <c>sun_path</c> is 108 bytes (unix(7)) and holds
    /// the path's terminating NUL, or the abstract name's leading NUL.
    /// </summary>
    internal const int MaxUnixNameBytes = 107;

    private const string KnownSchemes = "tcp://, tls://, udp://, unix: or unixgram:";
    private const int MaxShownLength = 120;

    /// <summary>Reads an endpoint (see the class remarks for the forms).</summary>
    /// <param name="text">The endpoint text, such as <c>tcp://[::1]:3001</c> or <c>unix:@sd</c>.</param>
    /// <returns>The endpoint; its <see cref="ToString"/> is the canonical form of <paramref name="text"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="SdException">Kind InvalidArgument, reason <c>EndpointInvalid</c>: one line naming the bad part
    /// (scheme, host, IPv4 or IPv6 address, port, path) and how to write it.</exception>
    public static SdEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var endpoint, out var error) ? endpoint : throw Invalid(error);
    }

    /// <summary>Reads an endpoint without throwing.</summary>
    /// <param name="text">The endpoint text; null is reported as an error.</param>
    /// <param name="endpoint">The endpoint, or null when the text is not valid.</param>
    /// <param name="error">Null on success; otherwise the one-line message <see cref="Parse"/> would throw.</param>
    /// <returns>Whether <paramref name="text"/> is a valid endpoint.</returns>
    public static bool TryParse(
        [NotNullWhen(true)] string? text,
        [NotNullWhen(true)] out SdEndpoint? endpoint,
        [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        error = text is null ? "endpoint is missing; write one such as tcp://127.0.0.1:3001 or unix:/run/sd/sd.sock" : ParseCore(text, out endpoint);
        return error is null;
    }

    internal static SdException Invalid(string message) => new(SdErrorKind.InvalidArgument, "EndpointInvalid", message);

    private static string? ParseCore(string text, out SdEndpoint? endpoint)
    {
        endpoint = null;
        if (text.Length == 0) return "endpoint is empty; write one such as tcp://127.0.0.1:3001 or unix:/run/sd/sd.sock";
        var prefix = $"endpoint '{Show(text)}': ";
        if (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])) return prefix + "leading or trailing white space; remove it";

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return prefix + "no scheme; start it with one of " + KnownSchemes;
        var scheme = text[..colon];
        var rest = text[(colon + 1)..];
        // Schemes are case-insensitive (RFC 3986 section 3.1); the canonical text uses lower case.
        SdEndpointKind kind;
        switch (scheme.ToLowerInvariant())
        {
            case "tcp": kind = SdEndpointKind.Tcp; break;
            case "tls": kind = SdEndpointKind.Tls; break;
            case "udp": kind = SdEndpointKind.Udp; break;
            case "unix": kind = SdEndpointKind.Unix; break;
            case "unixgram": kind = SdEndpointKind.UnixDatagram; break;
            default:
                // "127.0.0.1:3001" or "localhost:3001": the host was taken for a scheme.
                var hint = rest.Length > 0 && rest.All(char.IsAsciiDigit) ? $", as in tcp://{Show(text)}" : string.Empty;
                return prefix + $"unknown scheme '{Show(scheme)}'; use one of {KnownSchemes}{hint}";
        }

        if (kind is SdEndpointKind.Unix or SdEndpointKind.UnixDatagram)
        {
            var isAbstract = rest.StartsWith('@');
            var name = isAbstract ? rest[1..] : rest;
            var unixError = CheckUnixName(text, name, isAbstract);
            if (unixError is null) endpoint = new(kind, null, 0, name, isAbstract);
            return unixError;
        }

        var canonicalScheme = SchemeText(kind);
        if (!rest.StartsWith("//", StringComparison.Ordinal))
            return prefix + $"'{Show(scheme)}:' must be followed by '//', as in {canonicalScheme}127.0.0.1:3001";
        return ParseHostAndPort(kind, prefix, canonicalScheme, rest[2..], out endpoint);
    }

    private static string? ParseHostAndPort(SdEndpointKind kind, string prefix, string scheme, string authority, out SdEndpoint? endpoint)
    {
        endpoint = null;
        if (authority.Length == 0) return prefix + $"no host and port; write host:port, as in {scheme}127.0.0.1:3001";

        string host;
        IPAddress? address;
        string? portText;
        string? error;
        if (authority[0] == '[')
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) return prefix + $"'[' has no closing ']'; write IPv6 addresses as {scheme}[::1]:3001";
            error = CheckIPv6(prefix, authority[1..close], out host, out address);
            if (error is not null) return error;
            var after = authority[(close + 1)..];
            if (after.Length > 0 && after[0] != ':')
                return prefix + $"unexpected '{Show(after)}' after ']'; write {scheme}[{host}]:PORT";
            portText = after.Length == 0 ? null : after[1..];
        }
        else
        {
            var firstColon = authority.IndexOf(':', StringComparison.Ordinal);
            var lastColon = authority.LastIndexOf(':');
            // "localhost:80:90" is a host name with trailing garbage, not an unbracketed IPv6 address.
            var looksLikeIPv6 = firstColon == 0 || (firstColon > 0 && authority[..firstColon].All(char.IsAsciiHexDigit));
            if (firstColon != lastColon && looksLikeIPv6)
            {
                // More than one ':' outside brackets can only be an IPv6 address (RFC 3986 section 3.2.2).
                // "::1:3001" is also a whole IPv6 address, but a trailing decimal group is far more often a port.
                var portGuess = authority[(lastColon + 1)..];
                var suggestion =
                    portGuess.Length > 0 && portGuess.All(char.IsAsciiDigit) && IsIPv6(authority[..lastColon]) ? $"{scheme}[{authority[..lastColon]}]:{portGuess}"
                    : IsIPv6(authority) ? $"{scheme}[{authority}]:PORT"
                    : $"{scheme}[::1]:3001";
                return prefix + $"an IPv6 address must be in brackets, as in {Show(suggestion)}";
            }

            var hostText = firstColon < 0 ? authority : authority[..firstColon];
            portText = firstColon < 0 ? null : authority[(firstColon + 1)..];
            if (hostText.Length == 0)
                return prefix + "no host; use 0.0.0.0 or [::] for all addresses, 127.0.0.1 or [::1] for loopback, or a host name";
            error = CheckHost(prefix, hostText, out host, out address);
            if (error is not null) return error;
        }

        error = CheckPort(prefix, scheme, host, portText, out var port);
        if (error is not null) return error;
        endpoint = new(kind, host, port, null, false, address);
        return null;
    }

    private static string? CheckIPv6(string prefix, string text, out string host, out IPAddress? address)
    {
        host = text;
        address = null;
        if (text.Length == 0) return prefix + "empty brackets '[]'; write an IPv6 address such as [::1] or [::]";
        if (IsDottedDecimal(text))
            return prefix + $"'{Show(text)}' is an IPv4 address; write it without brackets";

        // IPAddress.TryParse accepts brackets, white space around and an empty or unknown zone
        // ("::1%", "fe80::1%nosuch"), so the zone is split off and checked here (RFC 4007 section 11).
        var percent = text.IndexOf('%', StringComparison.Ordinal);
        var addressText = percent < 0 ? text : text[..percent];
        var zone = percent < 0 ? null : text[(percent + 1)..];
        if (addressText.Length == 0 || !addressText.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
            || !IPAddress.TryParse(addressText, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
            return prefix + $"'{Show(addressText)}' is not a valid IPv6 address; write one such as [::1] or [2001:db8::1] (RFC 4291)";

        if (zone is not null)
        {
            if (zone.Length == 0 || !zone.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
                return prefix + $"'{Show(zone)}' is not a valid IPv6 zone; write an interface name or index, as in [fe80::1%eth0]";
            if (!zone.All(char.IsAsciiDigit) && !InterfaceExists(zone))
                return prefix + $"network interface '{Show(zone)}' of the IPv6 zone does not exist; see 'ip link'";
        }

        // RFC 5952 form (lower case, longest zero run as "::") so that equal addresses print equal.
        host = parsed.ToString() + (zone is null ? string.Empty : "%" + zone);
        address = IPAddress.Parse(host);
        return null;
    }

    private static bool IsIPv6(string text) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;

    private static bool InterfaceExists(string name)
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces().Any(n => string.Equals(n.Name, name, StringComparison.Ordinal));
        }
        catch (NetworkInformationException)
        {
            return false;
        }
    }

    private static string? CheckHost(string prefix, string text, out string host, out IPAddress? address)
    {
        host = text;
        address = null;
        if (IsDottedDecimal(text))
        {
            // Strict inet_pton(3) form: four decimal numbers 0-255, no leading zeros. IPAddress.TryParse
            // also takes inet_aton(3) forms ("127.1", "0x7f.0.0.1", "010.0.0.1" as octal) that mislead.
            address = ParseIPv4(text);
            return address is null
                ? prefix + $"'{Show(text)}' is not a valid IPv4 address; write four numbers 0-255 without leading zeros, as in 127.0.0.1"
                : null;
        }

        var problem = HostNameProblem(text);
        if (problem is not null)
            return prefix + $"'{Show(text)}' is not a valid host name ({problem}); use letters, digits, '-' and '.' (RFC 1123), or an IP address";
        // The resolver would read a name such as "0x7f" as an IPv4 address (inet_aton(3)): ask for the address.
        if (IPAddress.TryParse(text, out var numeric) && numeric.AddressFamily == AddressFamily.InterNetwork)
            return prefix + $"'{Show(text)}' reads as the IPv4 address {numeric}; write {numeric} instead";
        // DNS names are case-insensitive (RFC 4343).
        host = text.ToLowerInvariant();
        return null;
    }

    private static string? HostNameProblem(string name)
    {
        var bare = name.EndsWith('.') ? name[..^1] : name;
        if (bare.Length > 253) return "longer than 253 characters";
        foreach (var c in bare)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '.' and not '_')
                return $"character '{Show(c.ToString())}' is not allowed";
        }

        var labels = bare.Split('.');
        foreach (var label in labels)
        {
            if (label.Length == 0) return "empty label between dots";
            if (label.Length > 63) return $"label '{Show(label)}' is longer than 63 characters";
            if (label[0] == '-' || label[^1] == '-') return $"label '{Show(label)}' starts or ends with '-'";
        }

        // RFC 1123 section 2.1: a name is never all-numeric in its last label, which keeps names and
        // IPv4 addresses apart.
        return labels[^1].All(char.IsAsciiDigit) ? "the last label is all digits" : null;
    }

    private static bool IsDottedDecimal(string text) => text.All(c => char.IsAsciiDigit(c) || c == '.');

    private static IPAddress? ParseIPv4(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 4) return null;
        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0')) return null;
            var value = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            if (value > 255) return null;
            bytes[i] = (byte)value;
        }

        return new IPAddress(bytes);
    }

    private static string? CheckPort(string prefix, string scheme, string host, string? text, out int port)
    {
        port = 0;
        var shownHost = host.Contains(':') ? "[" + host + "]" : host;
        if (text is null) return prefix + $"no port; add ':PORT' (0-65535), as in {scheme}{Show(shownHost)}:3001";
        if (text.Length == 0) return prefix + $"empty port after ':'; write a port 0-65535, as in {scheme}{Show(shownHost)}:3001";

        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits])) digits++;
        if (digits == 0)
        {
            return text[0] == '-' && text.Length > 1 && char.IsAsciiDigit(text[1])
                ? prefix + $"port '{Show(text)}' is out of range 0-65535"
                : prefix + $"port '{Show(text)}' is not a number; write a port 0-65535";
        }

        var number = text[..digits].TrimStart('0');
        if (number.Length > 5 || (number.Length > 0 && int.Parse(number, NumberStyles.None, CultureInfo.InvariantCulture) > IPEndPoint.MaxPort))
            return prefix + $"port {Show(text[..digits])} is out of range 0-65535";
        if (digits < text.Length)
            return prefix + $"unexpected '{Show(text[digits..])}' after the port; the endpoint ends with its port";
        port = number.Length == 0 ? 0 : int.Parse(number, NumberStyles.None, CultureInfo.InvariantCulture);
        return null;
    }

    private static string? CheckUnixName(string text, string name, bool isAbstract)
    {
        var prefix = $"endpoint '{Show(text)}': ";
        if (name.Length == 0)
        {
            return isAbstract
                ? prefix + "empty abstract name after '@'; write unix:@name"
                : prefix + "empty path; write unix:/path/to.sock, unix:relative/path or unix:@name (abstract)";
        }

        // NUL ends a path in sun_path, and other control characters would break the one-line text form.
        if (name.Any(char.IsControl))
            return prefix + $"the {(isAbstract ? "abstract name" : "path")} contains a control character; remove it";

        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxUnixNameBytes)
        {
            return prefix + $"the {(isAbstract ? "abstract name" : "path")} is {bytes} bytes, over the {MaxUnixNameBytes} that fit in " +
                "sun_path (108 bytes with its NUL, unix(7)); use a shorter path, for example under /run or $XDG_RUNTIME_DIR";
        }

        return null;
    }

    /// <summary>User text as shown inside a one-line message: control characters escaped, long text cut.</summary>
    internal static string Show(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxShownLength + 3));
        foreach (var c in text)
        {
            if (builder.Length >= MaxShownLength)
            {
                builder.Append("...");
                break;
            }

            if (char.IsControl(c)) builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else builder.Append(c);
        }

        return builder.ToString();
    }
}

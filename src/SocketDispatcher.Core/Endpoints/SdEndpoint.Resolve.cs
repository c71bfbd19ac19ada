using System.Net;
using System.Net.Sockets;

namespace SocketDispatcher;

/// <content>Turning tcp, tls and udp endpoints into socket addresses.</content>
public sealed partial class SdEndpoint
{
    /// <summary>
    /// The address family to open a socket with: <see cref="AddressFamily.Unix"/> for AF_UNIX,
    /// <see cref="AddressFamily.InterNetwork"/> or <see cref="AddressFamily.InterNetworkV6"/> for an IP
    /// literal, and <see cref="AddressFamily.Unspecified"/> for a host name (known only after
    /// <see cref="ResolveAsync"/>).
    /// </summary>
    internal AddressFamily AddressFamily =>
        IsUnix ? AddressFamily.Unix : _address?.AddressFamily ?? AddressFamily.Unspecified;

    /// <summary>
    /// The addresses to connect to, in the resolver's order (getaddrinfo(3), RFC 6724), so that a client
    /// can try each in turn; an IP literal gives itself alone.
    /// </summary>
    /// <exception cref="InvalidOperationException">The endpoint is AF_UNIX.</exception>
    /// <exception cref="SdException">Reason <c>HostNotFound</c> (kind NotFound) when the name does not exist or has
    /// no address; reason <c>HostResolutionFailed</c> (kind ConnectionError) when the resolver fails otherwise.</exception>
    internal async Task<IReadOnlyList<IPEndPoint>> ResolveAsync(CancellationToken cancellationToken = default)
    {
        if (IsUnix) throw new InvalidOperationException($"endpoint '{_text}' is AF_UNIX and has no IP address");
        if (_address is not null) return [new IPEndPoint(_address, Port)];

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(Host!, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
        {
            throw new SdException(SdErrorKind.NotFound, "HostNotFound",
                $"host '{Host}' of endpoint '{_text}' does not exist; check the name or use an IP address", e);
        }
        catch (SocketException e)
        {
            throw new SdException(SdErrorKind.ConnectionError, "HostResolutionFailed",
                $"host '{Host}' of endpoint '{_text}' could not be resolved ({e.SocketErrorCode}); check the DNS setup or use an IP address", e);
        }

        if (addresses.Length == 0)
        {
            throw new SdException(SdErrorKind.NotFound, "HostNotFound",
                $"host '{Host}' of endpoint '{_text}' has no address; check the name or use an IP address");
        }

        return Array.ConvertAll(addresses, a => new IPEndPoint(a, Port));
    }
}

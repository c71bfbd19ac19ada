using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SocketDispatcher.Datagram;

/// <summary>Binding datagram sockets for udp:// and unixgram: endpoints, with errors a user can act on.</summary>
internal static class DatagramSockets
{
    /// <summary>Binds a service socket. A leftover unixgram socket file nobody reads is replaced; the file is mode 0600.</summary>
    /// <exception cref="SdException">EndpointInvalid, AddressInUse, AddressNotAvailable, AccessDenied, BindFailed.</exception>
    public static Socket Bind(SdEndpoint endpoint)
    {
        if (endpoint.Kind is not (SdEndpointKind.Udp or SdEndpointKind.UnixDatagram))
        {
            throw new SdException(SdErrorKind.InvalidArgument, "EndpointInvalid", $"{endpoint} is not a datagram endpoint: use udp://ADDRESS:PORT or unixgram:PATH");
        }

        Socket socket;
        if (endpoint.IsUnix)
        {
            if (!endpoint.IsAbstract && File.Exists(endpoint.Path)) RemoveIfStale(endpoint);
            socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        }
        else if (endpoint.ToEndPoint() is IPEndPoint address)
        {
            socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            // Explicit rather than the OS default (net.ipv6.bindv6only): [::] also takes IPv4.
            if (address.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = address.Address.Equals(IPAddress.IPv6Any);
        }
        else
        {
            throw new SdException(SdErrorKind.InvalidArgument, "EndpointInvalid", $"cannot serve on host name '{endpoint.Host}' in {endpoint}: give an IP address such as 127.0.0.1 or [::1]");
        }

        try
        {
            socket.Bind(endpoint.ToEndPoint());
            if (endpoint.IsUnix && !endpoint.IsAbstract) File.SetUnixFileMode(endpoint.Path!, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw ex.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => new SdException(SdErrorKind.ResourceUnavailable, "AddressInUse", $"{endpoint}: address already in use; stop the other service or pick another port", ex),
                SocketError.AccessDenied => new SdException(SdErrorKind.PermissionDenied, "AccessDenied", $"{endpoint}: permission denied", ex),
                SocketError.AddressNotAvailable => new SdException(SdErrorKind.InvalidArgument, "AddressNotAvailable", $"{endpoint}: this machine has no such address", ex),
                _ => new SdException(SdErrorKind.ConnectionError, "BindFailed", $"{endpoint}: cannot bind: {ex.Message}", ex),
            };
        }
    }

    /// <summary>
    /// A client socket for sending to <paramref name="endpoint"/>. A unixgram client binds an abstract
    /// name of its own (unix(7)), so that answers have somewhere to go.
    /// </summary>
    public static Socket ForClient(SdEndpoint endpoint, EndPoint target)
    {
        if (!endpoint.IsUnix) return new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"\0sd-client-{Environment.ProcessId}-{Guid.NewGuid():N}");
            socket.Bind(new UnixDomainSocketEndPoint(name));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static void RemoveSocketFile(SdEndpoint endpoint)
    {
        if (!endpoint.IsUnix || endpoint.IsAbstract || endpoint.Path is not { } path) return;
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the folder may be gone already.
        }
    }

    private static void RemoveIfStale(SdEndpoint endpoint)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            probe.Connect(endpoint.ToEndPoint());
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(endpoint.Path!);
            return;
        }
        catch (SocketException)
        {
            return; // Not ours to judge: bind will say why.
        }

        throw new SdException(SdErrorKind.ResourceUnavailable, "AddressInUse", $"{endpoint}: another process is bound to this socket");
    }
}

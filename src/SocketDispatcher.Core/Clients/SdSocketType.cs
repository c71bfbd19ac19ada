namespace SocketDispatcher;

/// <summary>The type of an AF_UNIX socket pair (socketpair(2), socket(2)).</summary>
public enum SdSocketType
{
    /// <summary><c>SOCK_STREAM</c>: a byte stream; one message per line.</summary>
    Stream,
    /// <summary><c>SOCK_DGRAM</c>: datagrams; one message per datagram (AF_UNIX datagrams are reliable and ordered).</summary>
    Datagram,
    /// <summary><c>SOCK_SEQPACKET</c>: records with boundaries and end of stream; one message per record.</summary>
    SeqPacket,
}

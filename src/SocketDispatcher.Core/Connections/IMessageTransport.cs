namespace SocketDispatcher.Connections;

/// <summary>
/// A transport: the framing over one connected socket that reads and writes whole messages, one per
/// line on a byte stream (<see cref="StreamTransport"/>) or one per record on a record socket
/// (<see cref="Datagram.RecordTransport"/>). Shutdown is idempotent and the first reason wins.
/// </summary>
internal interface IMessageTransport : IAsyncDisposable
{
    /// <summary>Why the transport closed, once it has.</summary>
    string? CloseReason { get; }

    /// <summary>Whether it has closed (locally or by the peer).</summary>
    bool IsClosed { get; }

    /// <summary>The read loop: completes at end of stream, on an error, or on <see cref="Abort"/>.</summary>
    Task Completion { get; }

    /// <summary>Starts reading; <paramref name="onLine"/> sees every message in order, valid or not.</summary>
    void Start(Func<LineResult, ValueTask> onLine);

    /// <summary>Sends one message.</summary>
    /// <exception cref="IOException">The transport is closed or broke.</exception>
    ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default);

    /// <summary>Stops the transport; the first reason is kept.</summary>
    void Abort(string reason);
}

namespace SocketDispatcher;

/// <summary>Handles one message of a conversation.</summary>
/// <param name="session">The session of the peer the message came from; answers go through it.</param>
/// <param name="message">The message.</param>
/// <param name="cancellationToken">Cancelled when the connection or the service stops.</param>
public delegate ValueTask SdMessageHandler(ISdSession session, SdMessage message, CancellationToken cancellationToken);

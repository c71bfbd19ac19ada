namespace SocketDispatcher;

/// <summary>Which part of a message address a name is, since each accepts different special names.</summary>
internal enum AddressPart
{
    /// <summary>The destination server (<c>server:service/COMMAND</c>); also accepts <c>.</c> and <c>*</c>.</summary>
    Server,

    /// <summary>The destination service; also accepts <c>*</c>, <c>?</c> and <c>.</c>.</summary>
    Service,

    /// <summary>The server of the <c>&lt;server:service </c> prefix; a plain name only.</summary>
    SentFromServer,

    /// <summary>The service of the <c>&lt;server:service </c> prefix; a plain name only.</summary>
    SentFromService,
}

using System.Globalization;

namespace SocketDispatcher.Handoff;

/// <summary>
/// <c>CONFIG cert=..;client_ca=..;key=..;max_line=..</c>, listener -> dispatcher, the answer to HELLO: what
/// every conversation of the dispatcher needs (docs/handoff-protocol.md, "Records").
/// </summary>
/// <param name="MaxLineBytes">The longest line a client may send, in bytes, at least 1.</param>
/// <param name="CertificatePath">The TLS certificate file, a full path; null without TLS (the record then has no <c>cert</c>).</param>
/// <param name="KeyPath">Its private key file; null when the certificate file holds the key.</param>
/// <param name="ClientCertificateAuthorityPath">The CA file client certificates must chain to; null when clients need none.</param>
internal readonly record struct ConfigRecord(int MaxLineBytes, string? CertificatePath = null, string? KeyPath = null, string? ClientCertificateAuthorityPath = null)
{
    /// <summary>The record's command.</summary>
    public const string Command = "CONFIG";

    private const string MaxLineName = "max_line";
    private const string CertName = "cert";
    private const string KeyName = "key";
    private const string ClientCaName = "client_ca";

    /// <summary>The record's wire text; a null path is left out.</summary>
    public string Write()
    {
        // In ordinal order of the names, as every message writes them.
        var parameters = new List<KeyValuePair<string, string>>(4);
        if (CertificatePath is { Length: > 0 } cert) parameters.Add(new(CertName, cert));
        if (ClientCertificateAuthorityPath is { Length: > 0 } ca) parameters.Add(new(ClientCaName, ca));
        if (KeyPath is { Length: > 0 } key) parameters.Add(new(KeyName, key));
        parameters.Add(new(MaxLineName, MaxLineBytes.ToString(CultureInfo.InvariantCulture)));
        return MessageWriter.Write(Command, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(parameters));
    }

    /// <summary>Reads a CONFIG record: <c>max_line</c> is a whole number of at least 1; a path that is absent or empty is null.</summary>
    /// <param name="message">The record as parsed.</param>
    /// <param name="record">The fields, when it is one.</param>
    /// <param name="error">Why it is not, on one line; empty otherwise.</param>
    public static bool TryRead(SdMessage message, out ConfigRecord record, out string error)
    {
        record = default;
        if (!RecordFields.IsCommand(message, Command, out error)
            || !RecordFields.TryGetInt32(message, MaxLineName, 1, out var maxLine, out error)) return false;
        record = new ConfigRecord(
            maxLine,
            RecordFields.GetOptional(message, CertName),
            RecordFields.GetOptional(message, KeyName),
            RecordFields.GetOptional(message, ClientCaName));
        return true;
    }
}

namespace SocketDispatcher;

public sealed partial class SdMessage
{
    /// <summary>
    /// The message as one line of JSON, in eventdispatcher's field names:
    /// <c>{"sent-from-server":..,"sent-from-service":..,"server":..,"service":..,"command":..,"parameters":{"name":"value",...}}</c>
    /// (vectors in tests/Unit/Messages/MessageJsonTests.cs).
    /// </summary>
    /// <remarks>
    /// Absent header fields and an empty parameter set are omitted; parameters are in ordinal order.
    /// Every parameter value is a JSON string, so <c>+101</c> or <c>true</c> come back exactly as they
    /// were. The server is written even without a service, so nothing is lost. Control characters,
    /// <c>"</c> and <c>\</c> are escaped; other characters are written as UTF-8 text. The result is
    /// always valid JSON (RFC 8259).
    /// </remarks>
    /// <returns>The JSON text, without a trailing newline.</returns>
    public string ToJson() => MessageJson.Write(this);

    /// <summary>
    /// Reads a message from its JSON form (<see cref="ToJson"/>, or eventdispatcher's <c>to_json()</c>).
    /// </summary>
    /// <remarks>
    /// Header fields must be strings (null means absent); unknown fields are ignored, as
    /// eventdispatcher does for forward compatibility. A parameter value may be a string, a number
    /// (kept as its JSON text, such as <c>-35</c> or <c>1.5e3</c>), <c>true</c>/<c>false</c> (read as
    /// <c>"true"</c>/<c>"false"</c>, the way eventdispatcher writes them), or null (read as <c>""</c>).
    /// Names follow the same rules as <see cref="Parse(string)"/>.
    /// </remarks>
    /// <param name="json">One JSON object.</param>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="SdMessageFormatException">
    /// The text is not JSON or not a valid message; <see cref="SdMessageFormatException.Position"/> is the
    /// byte offset in the UTF-8 form of <paramref name="json"/> where the problem is.
    /// </exception>
    public static SdMessage FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return MessageJson.Read(json);
    }
}

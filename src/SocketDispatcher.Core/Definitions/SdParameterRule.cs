namespace SocketDispatcher;

/// <summary>What a message definition says about one parameter.</summary>
/// <param name="Name">The parameter name (case-sensitive).</param>
/// <param name="Presence">Required, optional or forbidden. Default in files: optional.</param>
/// <param name="Type">The value's type. Default in files: string.</param>
/// <param name="AllowEmpty">Whether an empty value is accepted. Default in files: true for a string, false for the other types (an empty value is never an integer).</param>
public sealed record SdParameterRule(string Name, SdParameterPresence Presence, SdParameterType Type, bool AllowEmpty);

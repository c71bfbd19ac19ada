namespace SocketDispatcher;

/// <summary>
/// The parameter rules of one command, as eventdispatcher's message definitions
/// (m2osw/eventdispatcher, eventdispatcher/message_definition.cpp) give them: a message of that
/// command that breaks a rule is answered <c>INVALID</c> naming the rule and never reaches a handler.
/// </summary>
/// <param name="Command">The command the rules are for.</param>
/// <param name="Parameters">The rules, one per parameter name.</param>
/// <param name="AllowOtherParameters">Whether parameters without a rule are accepted. Default in files: true.</param>
/// <param name="Source">Where the definition was read from (a file path, or <c>built-in:NAME</c>), for error messages.</param>
public sealed record SdMessageDefinition(string Command, IReadOnlyList<SdParameterRule> Parameters, bool AllowOtherParameters, string Source)
{
    /// <summary>The first rule <paramref name="message"/> breaks, as one line naming it; null when it breaks none.</summary>
    /// <param name="message">A message of <see cref="Command"/>.</param>
    public string? Check(SdMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (var rule in Parameters)
        {
            var value = message.GetParameter(rule.Name);
            switch (rule.Presence)
            {
                case SdParameterPresence.Required when value is null:
                    return Broken($"{rule.Name}: required", $"parameter '{rule.Name}' is missing");
                case SdParameterPresence.Forbidden when value is not null:
                    return Broken($"{rule.Name}: forbidden", $"parameter '{rule.Name}' must not be given");
            }

            if (value is null) continue;
            if (value.Length == 0)
            {
                if (!rule.AllowEmpty) return Broken($"{rule.Name}: not empty", $"parameter '{rule.Name}' is empty");
                continue;
            }

            if (!IsOfType(value, rule.Type, out var form))
            {
                return Broken($"{rule.Name}: {rule.Type.ToString().ToLowerInvariant()}", $"{rule.Name}={MessageGrammar.Display(value)} is not {form}");
            }
        }

        if (!AllowOtherParameters)
        {
            foreach (var name in message.Parameters.Keys)
            {
                // secret_code belongs to the transport (ed-signal's --secret-code), not to any command.
                if (name == Control.SecretCode.ParameterName) continue;
                if (!Parameters.Any(r => r.Name == name)) return Broken("no other parameters", $"parameter '{name}' is not defined");
            }
        }

        return null;
    }

    private string Broken(string rule, string detail) => $"{Command} breaks rule '{rule}' of {Source}: {detail}";

    private static bool IsOfType(string value, SdParameterType type, out string form)
    {
        switch (type)
        {
            case SdParameterType.Integer:
                form = ParameterValues.IntegerForm;
                return ParameterValues.TryParseInt64(value, out _);
            case SdParameterType.Boolean:
                form = ParameterValues.BooleanForm;
                return ParameterValues.TryParseBoolean(value, out _);
            case SdParameterType.Address:
                form = ParameterValues.AddressForm;
                return ParameterValues.TryParseEndPoint(value, null, out _);
            case SdParameterType.TimeSpan:
                form = ParameterValues.TimeSpanForm;
                return ParameterValues.TryParseTimeSpan(value, out _);
            default:
                form = "text";
                return true;
        }
    }
}

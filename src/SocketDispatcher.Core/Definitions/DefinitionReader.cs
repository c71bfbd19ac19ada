namespace SocketDispatcher.Definitions;

/// <summary>Turns the data of a definition file (JSON or .psd1, already read into dictionaries and lists) into an <see cref="SdMessageDefinition"/>.</summary>
internal static class DefinitionReader
{
    /// <exception cref="FormatException">A key is missing, unknown or of the wrong kind; the message names it.</exception>
    public static SdMessageDefinition FromData(object? data, string source)
    {
        var table = data as Dictionary<string, object?> ?? throw new FormatException("the definition must be one object (a hashtable in .psd1)");
        CheckKeys(table, "the definition", "command", "description", "parameters", "otherParameters");
        var command = table.GetValueOrDefault("command") as string ?? throw new FormatException("'command' (text) is missing");
        try
        {
            MessageGrammar.ValidateCommand(command);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException(ex.Message);
        }

        var rules = new List<SdParameterRule>();
        var parameters = table.GetValueOrDefault("parameters") switch
        {
            null => [],
            List<object?> list => list,
            Dictionary<string, object?> one => [one],
            _ => throw new FormatException("'parameters' must be a list of objects"),
        };
        foreach (var item in parameters) rules.Add(Rule(item));
        var duplicate = rules.GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new FormatException($"parameter '{duplicate.Key}' has two rules");
        var others = table.GetValueOrDefault("otherParameters") switch
        {
            null => true,
            bool b => b,
            _ => throw new FormatException("'otherParameters' must be true or false"),
        };
        return new SdMessageDefinition(command, rules, others, source);
    }

    private static SdParameterRule Rule(object? item)
    {
        var table = item as Dictionary<string, object?> ?? throw new FormatException("each parameter rule must be an object with a 'name'");
        CheckKeys(table, "a parameter rule", "name", "presence", "type", "allowEmpty", "description");
        var name = table.GetValueOrDefault("name") as string ?? throw new FormatException("a parameter rule has no 'name'");
        try
        {
            MessageGrammar.ValidateParameterName(name);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException(ex.Message);
        }

        var presence = Parse<SdParameterPresence>(table, "presence", name, SdParameterPresence.Optional);
        var type = Parse<SdParameterType>(table, "type", name, SdParameterType.String);
        var allowEmpty = table.GetValueOrDefault("allowEmpty") switch
        {
            null => type == SdParameterType.String,
            bool b => b,
            _ => throw new FormatException($"parameter '{name}': 'allowEmpty' must be true or false"),
        };
        return new SdParameterRule(name, presence, type, allowEmpty);
    }

    private static T Parse<T>(Dictionary<string, object?> table, string key, string name, T defaultValue)
        where T : struct, Enum
    {
        if (table.GetValueOrDefault(key) is not { } value) return defaultValue;
        if (value is string text && Enum.TryParse<T>(text, ignoreCase: true, out var result) && !char.IsAsciiDigit(text[0])) return result;
        throw new FormatException($"parameter '{name}': {key} '{value}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");
    }

    private static void CheckKeys(Dictionary<string, object?> table, string what, params string[] known)
    {
        foreach (var key in table.Keys)
        {
            if (!known.Contains(key, StringComparer.OrdinalIgnoreCase)) throw new FormatException($"{what} has an unknown key '{key}' (known: {string.Join(", ", known)})");
        }
    }
}

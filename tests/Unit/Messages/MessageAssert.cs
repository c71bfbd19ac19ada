namespace SocketDispatcher.Tests.Messages;

/// <summary>Compares messages field by field, since <see cref="SdMessage"/> has reference equality.</summary>
internal static class MessageAssert
{
    public static void Equal(SdMessage expected, SdMessage actual, string because = "")
    {
        var what = because.Length == 0 ? string.Empty : because + ": ";
        Assert.True(expected.Command == actual.Command, $"{what}command <{expected.Command}> != <{actual.Command}>");
        Assert.True(expected.Server == actual.Server, $"{what}server <{expected.Server}> != <{actual.Server}>");
        Assert.True(expected.Service == actual.Service, $"{what}service <{expected.Service}> != <{actual.Service}>");
        Assert.True(expected.SentFromServer == actual.SentFromServer, $"{what}sent-from server <{expected.SentFromServer}> != <{actual.SentFromServer}>");
        Assert.True(expected.SentFromService == actual.SentFromService, $"{what}sent-from service <{expected.SentFromService}> != <{actual.SentFromService}>");
        Assert.Equal(expected.Parameters.Keys, actual.Parameters.Keys);
        foreach (var (name, value) in expected.Parameters)
        {
            Assert.True(value == actual.Parameters[name], $"{what}parameter {name}: <{Show(value)}> != <{Show(actual.Parameters[name])}>");
        }
    }

    public static bool AreEqual(SdMessage a, SdMessage b)
        => a.Command == b.Command && a.Server == b.Server && a.Service == b.Service
           && a.SentFromServer == b.SentFromServer && a.SentFromService == b.SentFromService
           && a.Parameters.Count == b.Parameters.Count
           && a.Parameters.All(p => b.Parameters.TryGetValue(p.Key, out var v) && v == p.Value);

    private static string Show(string value)
        => string.Concat(value.Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:X4}" : c.ToString()));
}

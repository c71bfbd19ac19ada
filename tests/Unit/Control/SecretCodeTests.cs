using SocketDispatcher.Control;

namespace SocketDispatcher.Tests.Control;

public sealed class SecretCodeTests
{
    [Theory]
    [InlineData("QUIT secret_code=hunter2", "QUIT secret_code=***")]
    [InlineData("STATUS a=1;secret_code=\"x;y\";z=2", "STATUS a=1;secret_code=***;z=2")]
    [InlineData("PING 1a=1;secret_code=hunter2", "PING 1a=1;secret_code=***")]
    [InlineData("HELP", "HELP")]
    public void RedactHidesTheSecretValueFromLogs(string line, string expected)
        => Assert.Equal(expected, SecretCode.Redact(line));
}

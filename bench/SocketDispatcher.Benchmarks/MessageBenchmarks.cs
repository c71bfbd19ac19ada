using System.Text;
using BenchmarkDotNet.Attributes;

namespace SocketDispatcher.Benchmarks;

/// <summary>Parsing and writing one message, in wire text and JSON (issue 3: at least 2 million parses per second of the seed's FIRE).</summary>
[MemoryDiagnoser]
public class MessageBenchmarks
{
    private const string FireLine = "FIRE length=-35;name=Charles";
    private const string QuotedLine = "<remote:firewall jungle:watchdog/SET a=1;b=\"x;y\";c=line1\\nline2;d=\" padded \";e=C:\\\\path";
    private static readonly byte[] FireDatagram = Encoding.UTF8.GetBytes(FireLine + "\n");
    private static readonly SdMessage Fire = SdMessage.Parse(FireLine);
    private static readonly SdMessage Quoted = SdMessage.Parse(QuotedLine);
    private static readonly string FireJson = Fire.ToJson();

    [Benchmark(Baseline = true)]
    public SdMessage ParseFire() => SdMessage.Parse(FireLine);

    [Benchmark]
    public SdMessage ParseQuotedAndAddressed() => SdMessage.Parse(QuotedLine);

    [Benchmark]
    public SdMessage ParseFireDatagram() => SdMessage.ParseDatagram(FireDatagram);

    [Benchmark]
    public string WriteFire() => Fire.ToString();

    [Benchmark]
    public string WriteQuotedAndAddressed() => Quoted.ToString();

    [Benchmark]
    public string WriteFireJson() => Fire.ToJson();

    [Benchmark]
    public SdMessage ParseFireJson() => SdMessage.FromJson(FireJson);
}

using System.CommandLine;

namespace SocketDispatcher.Cli;

/// <summary><c>sd cert</c>: make a development CA, server and client certificate in PEM.</summary>
internal static class CertCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o") { Description = "Folder to write ca.pem/key, server.pem/key and client.pem/key into.", Required = true };
        var commonName = new Option<string>("--cn") { Description = "Server certificate common name (SANs always include localhost, 127.0.0.1 and ::1).", DefaultValueFactory = _ => "localhost" };
        var days = new Option<int>("--days") { Description = "Validity in days.", DefaultValueFactory = _ => 365 };
        var command = new Command("cert", "Create development certificates (ECDSA P-256) in PEM.") { output, commonName, days };
        command.SetAction(result => CliRunner.RunAsync(() =>
        {
            var set = SdCertificateFactory.CreateDevelopmentSet(result.GetValue(output)!, result.GetValue(commonName)!, TimeSpan.FromDays(result.GetValue(days)));
            Console.WriteLine(set.CertificateAuthority);
            Console.WriteLine(set.ServerCertificate);
            Console.WriteLine(set.ServerKey);
            Console.WriteLine(set.ClientCertificate);
            Console.WriteLine(set.ClientKey);
            return Task.FromResult(CliRunner.Done);
        }));
        return command;
    }
}

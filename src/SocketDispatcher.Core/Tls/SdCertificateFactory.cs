using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SocketDispatcher;

/// <summary>Makes development certificates in PEM: a CA, a server certificate and a client certificate.</summary>
/// <remarks>
/// The certificates follow RFC 5280 closely enough for strict verifiers (OpenSSL, Python's
/// <c>VERIFY_X509_STRICT</c>, .NET): the CA has critical basic constraints and key usage, every
/// certificate has a subject key identifier, the leaves an authority key identifier, key usage and
/// extended key usage. The CA is meant for development only: anyone with <c>ca.key</c> can mint
/// certificates that clients trusting <c>ca.pem</c> accept.
/// </remarks>
public static class SdCertificateFactory
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private const UnixFileMode KeyFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode CertificateFileMode = KeyFileMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>
    /// Creates a CA, a server certificate (SANs <c>localhost</c>, <c>127.0.0.1</c>, <c>::1</c> and
    /// <paramref name="commonName"/>) and a client certificate, all ECDSA P-256 with SHA-256, in
    /// <paramref name="directory"/>: <c>ca.pem</c>, <c>ca.key</c>, <c>server.pem</c>, <c>server.key</c>,
    /// <c>client.pem</c>, <c>client.key</c> (PEM <c>CERTIFICATE</c> and PKCS#8 <c>PRIVATE KEY</c>, RFC 7468;
    /// keys mode 0600, certificates 0644).
    /// </summary>
    /// <param name="directory">The output folder; created if missing. Existing files are replaced, each at once (rename).</param>
    /// <param name="commonName">The server certificate's common name, also added as a SAN (an IP address or a DNS name).
    /// Default: <c>localhost</c>.</param>
    /// <param name="validity">How long the certificates are valid, from now. Default: 365 days.</param>
    /// <returns>The paths of the files and the expiry time.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> or <paramref name="commonName"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validity"/> is not positive.</exception>
    /// <exception cref="SdException">The folder cannot be written: reason <c>CertificateWriteFailed</c>, kind
    /// PermissionDenied (access refused), NotFound (a parent is missing or not a folder) or InvalidArgument (other I/O errors).</exception>
    public static SdCertificateSet CreateDevelopmentSet(string directory, string commonName = "localhost", TimeSpan? validity = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(commonName);
        var lifetime = validity ?? TimeSpan.FromDays(365);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero, nameof(validity));

        // X.509 times have whole seconds; the leaves' validity must lie within the CA's.
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        // Backdated a little so that a peer whose clock is slightly behind accepts the certificates at once.
        var notBefore = now.AddMinutes(-5);
        var notAfter = now + lifetime;

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = CreateAuthority(caKey, notBefore, notAfter);
        using var server = CreateLeaf(ca, serverKey, commonName, ServerAuthOid, ServerNames(commonName), notBefore, notAfter);
        using var client = CreateLeaf(ca, clientKey, "SocketDispatcher Development Client", ClientAuthOid, null, notBefore, notAfter);

        var fullDirectory = Path.GetFullPath(directory);
        var set = new SdCertificateSet(fullDirectory, commonName, notAfter);
        try
        {
            Directory.CreateDirectory(fullDirectory);
            WriteFile(set.CertificateAuthorityKey, caKey.ExportPkcs8PrivateKeyPem(), KeyFileMode);
            WriteFile(set.CertificateAuthority, ca.ExportCertificatePem(), CertificateFileMode);
            WriteFile(set.ServerKey, serverKey.ExportPkcs8PrivateKeyPem(), KeyFileMode);
            WriteFile(set.ServerCertificate, server.ExportCertificatePem(), CertificateFileMode);
            WriteFile(set.ClientKey, clientKey.ExportPkcs8PrivateKeyPem(), KeyFileMode);
            WriteFile(set.ClientCertificate, client.ExportCertificatePem(), CertificateFileMode);
        }
        catch (UnauthorizedAccessException e)
        {
            throw WriteFailed(SdErrorKind.PermissionDenied, $"cannot write certificates in '{fullDirectory}' (permission denied); choose a folder you can write", e);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            throw WriteFailed(SdErrorKind.NotFound, $"cannot write certificates in '{fullDirectory}' (a parent folder is missing); create it first", e);
        }
        catch (IOException e)
        {
            throw WriteFailed(SdErrorKind.InvalidArgument,
                $"cannot write certificates in '{fullDirectory}' ({e.Message.ReplaceLineEndings(" ")}); check that it is a folder and that the disk is not full", e);
        }

        return set;
    }

    private static X509Certificate2 CreateAuthority(ECDsa key, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var name = new X500DistinguishedNameBuilder();
        // The builder encodes in reverse order of the calls: this gives the usual O, then CN.
        name.AddCommonName("SocketDispatcher Development CA");
        name.AddOrganizationName("SocketDispatcher");
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        // pathLen 0: this CA signs leaves only (RFC 5280 section 4.2.1.9).
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    private static X509Certificate2 CreateLeaf(
        X509Certificate2 authority, ECDsa key, string commonName, string usageOid,
        X509Extension? subjectAlternativeNames, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var name = new X500DistinguishedNameBuilder();
        // The builder encodes in reverse order of the calls: this gives the usual O, then CN.
        name.AddCommonName(commonName);
        name.AddOrganizationName("SocketDispatcher");
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        // ECDHE_ECDSA and TLS 1.3 CertificateVerify need digitalSignature only (RFC 8446 section 4.4.2.2).
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        if (subjectAlternativeNames is not null) request.CertificateExtensions.Add(subjectAlternativeNames);
        return request.Create(authority, notBefore, notAfter, SerialNumber());
    }

    private static X509Extension ServerNames(string commonName)
    {
        // Clients match names against the SANs only, never the CN (RFC 6125 section 6.4.4), so the CN is added as one.
        var builder = new SubjectAlternativeNameBuilder();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost" };
        builder.AddDnsName("localhost");
        builder.AddIpAddress(IPAddress.Loopback);
        builder.AddIpAddress(IPAddress.IPv6Loopback);
        if (IPAddress.TryParse(commonName.Trim('[', ']'), out var address))
        {
            if (!address.Equals(IPAddress.Loopback) && !address.Equals(IPAddress.IPv6Loopback)) builder.AddIpAddress(address);
        }
        else if (names.Add(commonName))
        {
            builder.AddDnsName(commonName);
        }

        return builder.Build();
    }

    private static byte[] SerialNumber()
    {
        // Positive and unpredictable, at most 20 bytes (RFC 5280 section 4.1.2.2; CA/B Forum asks for 64 random bits).
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }

    private static void WriteFile(string path, string pem, UnixFileMode mode)
    {
        // Written under a temporary name created with the final mode, then renamed: a key is never readable
        // by others, not even for a moment, and a reader never sees half a file.
        // SocketDispatcher runs on Linux only; file modes have no meaning elsewhere.
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("development certificates need Unix file modes");
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(pem);
                writer.Write('\n');
            }

            // The umask may have removed bits from a certificate's 0644; set the mode exactly.
            File.SetUnixFileMode(temporary, mode);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static SdException WriteFailed(SdErrorKind kind, string message, Exception inner)
        => new(kind, "CertificateWriteFailed", message, inner);
}

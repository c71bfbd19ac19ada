using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SocketDispatcher;

/// <summary>
/// Reads certificates and private keys from PEM files (RFC 7468) and turns every failure into an
/// <see cref="SdException"/> that names the file: reason <c>CertificateNotFound</c> when a file is
/// missing, <c>CertificateInvalid</c> when it cannot be read or used.
/// </summary>
internal static class PemFiles
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    /// <summary>Every <c>CERTIFICATE</c> block of a file, in file order (at least one).</summary>
    /// <param name="path">The PEM file.</param>
    /// <param name="what">What the file is, for messages, such as <c>CA certificate</c>.</param>
    public static X509Certificate2Collection LoadCertificates(string path, string what)
    {
        var text = ReadText(path, what);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            throw Invalid($"{what} file '{path}' holds a malformed CERTIFICATE block; replace it with a valid PEM certificate", e);
        }

        if (certificates.Count == 0)
            throw Invalid($"{what} file '{path}' holds no PEM CERTIFICATE block; give a file starting with '-----BEGIN CERTIFICATE-----'");
        return certificates;
    }

    /// <summary>
    /// The first certificate of <paramref name="certificatePath"/> with the private key of
    /// <paramref name="keyPath"/> (RSA or ECDSA; PKCS#8, PKCS#1 or SEC1), and the certificates after it
    /// as its chain.
    /// </summary>
    /// <param name="certificatePath">The PEM certificate file, leaf first.</param>
    /// <param name="keyPath">The PEM private key file; null: the key is in <paramref name="certificatePath"/> too.</param>
    /// <param name="what">What the certificate is, for messages, such as <c>client certificate</c>.</param>
    /// <param name="keyWhat">What the key is, for messages, such as <c>client private key</c>.</param>
    /// <param name="chain">The certificates after the first one.</param>
    public static X509Certificate2 LoadCertificateWithKey(
        string certificatePath, string? keyPath, string what, string keyWhat, out X509Certificate2Collection chain)
    {
        var certificates = LoadCertificates(certificatePath, what);
        var keyText = ReadText(keyPath ?? certificatePath, keyPath is null ? what : keyWhat);
        var leaf = certificates[0];
        chain = new X509Certificate2Collection();
        for (var i = 1; i < certificates.Count; i++) chain.Add(certificates[i]);

        if (keyText.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
            throw Invalid($"{keyWhat} file '{keyPath}' is encrypted; give an unencrypted key (openssl pkey -in KEY -out PLAIN)");

        var algorithm = leaf.GetKeyAlgorithm();
        if (algorithm is not (RsaOid or EcOid))
            throw Invalid($"{what} file '{certificatePath}' has a key of algorithm {algorithm}; use an RSA or ECDSA certificate");

        using AsymmetricAlgorithm key = algorithm == RsaOid ? RSA.Create() : ECDsa.Create();
        try
        {
            key.ImportFromPem(keyText);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            // No PRIVATE KEY block, a malformed one, or a key of the other algorithm.
            throw Invalid(keyPath is null
                ? $"{what} file '{certificatePath}' holds no valid {(algorithm == RsaOid ? "RSA" : "EC")} private key, and no key file was given; " +
                  "give the key file too, or append the key to the certificate file"
                : $"{keyWhat} file '{keyPath}' holds no valid {(algorithm == RsaOid ? "RSA" : "EC")} private key for " +
                  $"certificate '{certificatePath}'; give a PEM 'PRIVATE KEY' (PKCS#8) that matches it", e);
        }

        try
        {
            return key is RSA rsa ? leaf.CopyWithPrivateKey(rsa) : leaf.CopyWithPrivateKey((ECDsa)key);
        }
        catch (ArgumentException e)
        {
            // The key's public half differs from the certificate's.
            throw Invalid($"{keyWhat} file '{keyPath}' does not belong to certificate '{certificatePath}'; give the key made with that certificate", e);
        }
    }

    private static string ReadText(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            throw Invalid($"{what} file '{path}' is a directory; give the PEM file inside it");
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SdException(SdErrorKind.NotFound, "CertificateNotFound",
                $"{what} file '{path}' not found; check the path, or make development certificates with 'sd cert --out DIR'", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SdException(SdErrorKind.PermissionDenied, "CertificateInvalid",
                $"{what} file '{path}' cannot be read (permission denied); make it readable by this user", e);
        }
        catch (IOException e)
        {
            throw Invalid($"{what} file '{path}' cannot be read ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    private static SdException Invalid(string message, Exception? inner = null)
        => new(SdErrorKind.InvalidArgument, "CertificateInvalid", message, inner);
}

using SocketDispatcher.Interop;

namespace SocketDispatcher.Listening;

/// <summary>
/// The folder (mode 0700) holding a listener's handoff and control sockets, so that only its owner
/// can reach them (docs/architecture.md). Created at start, removed at stop when we created it.
/// </summary>
internal sealed class RuntimeDirectory : IDisposable
{
    private readonly bool _created;

    private RuntimeDirectory(string path, bool created)
    {
        Path = path;
        _created = created;
    }

    public string Path { get; }

    /// <summary>The default base folder: <c>$XDG_RUNTIME_DIR/sd</c>, <c>/run/sd</c> as root, else <c>/tmp/sd-UID</c>.</summary>
    public static string DefaultBase()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(xdg)) return System.IO.Path.Combine(xdg, "sd");
        var uid = NativeSockets.GetUserId();
        return uid == 0 ? "/run/sd" : $"/tmp/sd-{uid}";
    }

    /// <exception cref="SdException">The folder cannot be made (PermissionDenied).</exception>
    public static RuntimeDirectory Create(string path)
    {
        var created = !Directory.Exists(path);
        try
        {
            var parent = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            if (parent is not null && !Directory.Exists(parent)) Directory.CreateDirectory(parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SdException(SdErrorKind.PermissionDenied, "RuntimeDirectoryUnavailable", $"cannot create the runtime directory '{path}': {ex.Message}", ex);
        }

        return new RuntimeDirectory(path, created);
    }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (!_created) return;
        try
        {
            if (Directory.Exists(Path) && !Directory.EnumerateFileSystemEntries(Path).Any()) Directory.Delete(Path);
        }
        catch (IOException)
        {
            // Someone else put a file there: leave the folder.
        }
    }
}

namespace Tcd.Models.Tests.Runtime;

/// <summary>
/// A fact that holds a lock from a second process with <see cref="Path"/> (util-linux), which takes the same
/// <c>flock(2)</c> lock .NET takes for <see cref="FileShare.None"/> and starts in milliseconds (a dotnet child would
/// take seconds); it is skipped where that program is not installed (Windows, macOS, minimal images).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FlockFactAttribute : FactAttribute
{
    /// <summary>The <c>flock</c> program.</summary>
    public const string Path = "/usr/bin/flock";

    public FlockFactAttribute()
    {
        if (!File.Exists(Path))
        {
            Skip = $"{Path} (util-linux) is not installed: no cheap second process to hold the lock.";
        }
    }
}

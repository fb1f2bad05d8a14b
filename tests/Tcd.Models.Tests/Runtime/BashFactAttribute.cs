namespace Tcd.Models.Tests.Runtime;

/// <summary>A fact that runs a shell script of the repository, so it is skipped where there is no bash (Windows).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BashFactAttribute : FactAttribute
{
    public BashFactAttribute() => Skip = SkipReason;

    /// <summary>Why a script cannot run here, or null where it can.</summary>
    internal static string? SkipReason =>
        !OperatingSystem.IsWindows() && File.Exists("/bin/bash") ? null : "Runs a bash script; this machine has no /bin/bash.";
}

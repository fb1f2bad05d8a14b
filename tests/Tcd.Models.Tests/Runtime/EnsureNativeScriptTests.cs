using System.Diagnostics;
using Tcd.Models.Runtime;

namespace Tcd.Models.Tests.Runtime;

/// <summary>
/// <c>scripts/ensure-native.sh</c>, which <c>./quickstart.sh</c> and <c>./test.sh</c> run first, in each of its three
/// branches. Stand-ins for <c>ldconfig</c> (pointing at a fake libstdc++), <c>id</c> and <c>apt-get</c> come first on
/// PATH and <c>TCD_OS_RELEASE</c> names the distribution, so every branch runs on any Linux machine and nothing is
/// ever installed.
/// </summary>
public sealed class EnsureNativeScriptTests : IDisposable
{
    private const string Debian12 = "ID=debian\nVERSION_ID=12\n";
    private const string Ubuntu2204 = "ID=ubuntu\nVERSION_ID=22.04\n";

    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("tcd-ensure-native-");

    public void Dispose() => root.Delete(recursive: true);

    private string Library => Path.Combine(root.FullName, "libstdc++.so.6");

    private string AptLog => Path.Combine(root.FullName, "apt.log");

    [BashFact]
    public void A_libstdcxx_with_the_symbol_passes_silently_and_installs_nothing()
    {
        var (exitCode, output) = Run(TorchRuntime.RequiredGlibcxx, Debian12, userId: 0);

        exitCode.Should().Be(0, output);
        output.Should().BeEmpty();
        File.Exists(AptLog).Should().BeFalse("nothing is installed when nothing is missing");
    }

    [BashFact]
    public void On_Debian_12_as_root_it_installs_libstdcxx6_from_Debian_13_through_a_source_list_of_its_own()
    {
        var (exitCode, output) = Run("GLIBCXX_3.4.30", Debian12, userId: 0);

        exitCode.Should().Be(0, output);
        output.Should().Contain("installing libstdc++6 from Debian 13").And.Contain($"now provides {TorchRuntime.RequiredGlibcxx}");
        var apt = File.ReadAllText(AptLog);
        apt.Should().Contain("update").And.Contain("install -y -qq libstdc++6/trixie")
            .And.Contain("Dir::Etc::sourceparts=/nonexistent", "the system's own sources are left out (and untouched)")
            .And.MatchRegex(@"deb \[signed-by=/usr/share/keyrings/debian-archive-keyring\.gpg\] \S+ trixie main");
    }

    [BashTheory]
    [InlineData(Debian12, 1000)]
    [InlineData(Ubuntu2204, 0)]
    public void Elsewhere_or_without_root_it_says_what_to_install_and_exits_non_zero(string osRelease, int userId)
    {
        var (exitCode, output) = Run("GLIBCXX_3.4.30", osRelease, userId);

        exitCode.Should().Be(1, output);
        output.Should().Contain($"libstdc++ lacks {TorchRuntime.RequiredGlibcxx}")
            .And.Contain($"Install a libstdc++ that provides {TorchRuntime.RequiredGlibcxx}")
            .And.Contain("Debian 12 (as root)").And.Contain("Ubuntu 22.04");
        File.Exists(AptLog).Should().BeFalse("only Debian 12 as root installs anything");
    }

    /// <summary>Runs the script with a libstdc++ that provides <paramref name="symbolVersion"/>; returns its exit code and stderr + stdout.</summary>
    private (int ExitCode, string Output) Run(string symbolVersion, string osRelease, int userId)
    {
        File.WriteAllText(Library, $"{symbolVersion}\0");
        var osReleaseFile = Path.Combine(root.FullName, "os-release");
        File.WriteAllText(osReleaseFile, osRelease);
        var bin = Directory.CreateDirectory(Path.Combine(root.FullName, "bin")).FullName;
        Executable(bin, "ldconfig", $"echo '\tlibstdc++.so.6 (libc6,x86-64) => {Library}'");
        Executable(bin, "id", $"echo {userId}");
        // Logs its arguments and the source list it was given; "installing" writes a libstdc++ with the symbol.
        Executable(bin, "apt-get", $$"""
            echo "apt-get $*" >> '{{AptLog}}'
            for arg in "$@"; do
              case "$arg" in Dir::Etc::sourcelist=*) cat "${arg#Dir::Etc::sourcelist=}" >> '{{AptLog}}';; esac
            done
            case " $* " in *" install "*) printf '{{TorchRuntime.RequiredGlibcxx}}\0' > '{{Library}}';; esac
            """);

        var start = new ProcessStartInfo("bash");
        start.ArgumentList.Add(RepositoryFiles.Path(Path.Combine("scripts", "ensure-native.sh")));
        start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        start.Environment["TCD_OS_RELEASE"] = osReleaseFile;
        // The script runs stand-ins only and ends in well under a second; the limit stops a hung one instead of the test run.
        var (exitCode, output, error) = ChildProcess.Run(start, TimeSpan.FromMinutes(1));
        return (exitCode, error + output);
    }

    private static void Executable(string folder, string name, string body)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The stand-in commands are shell scripts (see BashFactAttribute).");
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}

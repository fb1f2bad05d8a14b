using System.Diagnostics;
using System.Text.Json;
using Tcd.Models.Runtime;

namespace Tcd.Models.Tests.Runtime;

public sealed class FolderLockTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("tcd-lock-");

    public void Dispose() => root.Delete(recursive: true);

    private string Folder(string name) => Path.Combine(root.FullName, name);

    private static FolderLock Lock(string folder) => FolderLock.Acquire(folder, "run folder", "give another --out");

    [Fact]
    public void A_second_lock_in_this_process_fails_and_names_the_folder_and_what_to_do()
    {
        var folder = Folder("run");
        using var first = Lock(folder);

        var second = () => Lock(folder);

        second.Should().Throw<FolderInUseException>()
            .WithMessage($"Another run in this process is using the run folder '{folder}'; wait for it to finish, or give another --out.")
            .Which.Holder!.ProcessId.Should().Be(Environment.ProcessId);
    }

    [Fact]
    public void A_second_lock_from_another_thread_fails_too()
    {
        var folder = Folder("run");
        using var first = Lock(folder);

        var second = Task.Run(() => Lock(folder));

        second.Invoking(task => task.GetAwaiter().GetResult()).Should().Throw<FolderInUseException>();
    }

    [Fact]
    public void Released_the_folder_can_be_locked_again_and_a_folder_the_lock_made_goes_with_it()
    {
        var folder = Path.Combine(Folder("runs"), "run");
        Lock(folder).Dispose();
        Directory.Exists(Folder("runs")).Should().BeFalse("a run that wrote nothing leaves nothing behind");

        using (Lock(folder))
        {
            File.WriteAllText(Path.Combine(folder, "result.json"), "{}");
        }

        Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Should().Equal(["result.json"], "the lock's own files go");
        using var again = Lock(folder);
        again.Folder.Should().Be(folder);
    }

    [Fact]
    public void An_existing_folder_is_kept_when_empty_unless_asked_to_go()
    {
        var kept = Directory.CreateDirectory(Folder("kept")).FullName;
        var removed = Directory.CreateDirectory(Folder("removed")).FullName;

        FolderLock.Acquire(kept, "run folder", "give another --out").Dispose();
        FolderLock.Acquire(removed, "checkpoint folder", "give another folder", removeWhenEmpty: true).Dispose();

        Directory.EnumerateFileSystemEntries(kept).Should().BeEmpty();
        Directory.Exists(removed).Should().BeFalse();
    }

    [Fact]
    public void The_holder_is_recorded_in_a_file_another_process_can_read_while_the_lock_is_held()
    {
        var folder = Folder("run");
        using var held = Lock(folder);

        // File.ReadAllText is what a second .NET process would do: it can open this file, while the lock file it cannot.
        var holder = JsonSerializer.Deserialize<FolderLockHolder>(File.ReadAllText(Path.Combine(folder, FolderLock.HolderFileName)), TcdJson.Compact);
        var lockFile = () => File.ReadAllText(Path.Combine(folder, FolderLock.LockFileName));

        holder!.ProcessId.Should().Be(Environment.ProcessId);
        holder.Since.Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1));
        lockFile.Should().Throw<IOException>("on Linux .NET opens every file with a flock, which the lock's exclusive one refuses");
    }

    [FlockFact]
    public void A_lock_of_another_process_fails_with_its_pid_and_goes_when_that_process_is_killed()
    {
        var folder = Directory.CreateDirectory(Folder("run")).FullName;
        using var holder = Process.Start(new ProcessStartInfo(FlockFactAttribute.Path, ["-o", Path.Combine(folder, FolderLock.LockFileName), "-c", "echo locked; exec sleep 60"])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            holder.StandardOutput.ReadLine().Should().Be("locked");
            var since = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
            File.WriteAllText(Path.Combine(folder, FolderLock.HolderFileName), JsonSerializer.Serialize(new FolderLockHolder(holder.Id, since, "tcd pretrain --out runs/x"), TcdJson.Compact));

            var whileHeld = () => Lock(folder);

            whileHeld.Should().Throw<FolderInUseException>().WithMessage(
                $"Another process (pid {holder.Id}: tcd pretrain --out runs/x, since 2026-01-02 03:04:05 UTC) is using the run folder '{folder}'; " +
                "wait for it to finish, or give another --out.");

            // SIGKILL (to flock and the sleep it started): the process gets no chance to let go, the operating system drops its flock.
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
            using var afterTheKill = Lock(folder);
            FolderLock.ReadHolder(folder)!.ProcessId.Should().Be(Environment.ProcessId, "the dead holder's record is replaced");
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill(entireProcessTree: true);
            }
        }
    }
}

using Tcd.Models.Training;

namespace Tcd.Models.Tests.Training;

/// <summary>
/// What a process killed while it saves or deletes checkpoints leaves behind: the next process finds the newest complete
/// checkpoint (or none), never a half-written or half-deleted one, and its next save or deletion removes the leftovers.
/// </summary>
public sealed class CheckpointStoreCrashTests : IDisposable
{
    private static readonly string[] Files = ["model.safetensors", "optimizer.bin", "state.json"];

    private readonly string root = Path.Combine(Path.GetTempPath(), "tcd-ckpt-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        foreach (var folder in new[] { root, root + "-killed" }.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The operations that delete folders of the store, from steps 10 and 20 saved (keeping two).</summary>
    public static TheoryData<string> Operations => ["save the next step", "save the newest step again", "save an earlier step", "delete all"];

    [Fact]
    public void A_folder_renamed_for_deletion_but_not_deleted_is_no_checkpoint_and_the_next_save_removes_it()
    {
        var store = new CheckpointStore(root);
        var older = Save(store, 10);
        var newest = Save(store, 20);
        // As a process killed between the rename and the deletion leaves it, with latest.json still naming it.
        Directory.Move(newest, Path.Combine(root, ".tmp-deleted-" + Guid.NewGuid().ToString("N")));

        new CheckpointStore(root).FindLatest().Should().Be(older);

        Save(new CheckpointStore(root), 30);
        HiddenLeftovers().Should().BeEmpty();
    }

    [Fact]
    public void A_renamed_folder_whose_deletion_was_stopped_midway_is_never_chosen_and_the_next_save_removes_it()
    {
        var store = new CheckpointStore(root, keepLast: 3);
        var oldest = Save(store, 10);
        var older = Save(store, 20);
        var newest = Save(store, 30);
        var retired = Path.Combine(root, ".tmp-deleted-" + Guid.NewGuid().ToString("N"));
        Directory.Move(newest, retired);
        File.Delete(Path.Combine(retired, Files[0]));

        var reopened = new CheckpointStore(root, keepLast: 3);
        reopened.FindLatest().Should().Be(older);
        reopened.FindPrevious(older).Should().Be(oldest);

        Save(reopened, 40);
        HiddenLeftovers().Should().BeEmpty();
        Directory.EnumerateDirectories(root).Select(Path.GetFileName).Should().BeEquivalentTo("step-00000010", "step-00000020", "step-00000040");
    }

    [Fact]
    public void A_save_stopped_while_it_wrote_its_files_is_never_chosen_and_the_next_save_removes_it()
    {
        var store = new CheckpointStore(root);
        Save(store, 10);
        var newest = Save(store, 20);
        // As a process killed while it wrote step 30 leaves it: some files in the temporary folder, the pointer unchanged.
        var interrupted = Path.Combine(root, ".tmp-step-00000030-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(interrupted);
        File.WriteAllText(Path.Combine(interrupted, Files[0]), "step-00000030");

        var reopened = new CheckpointStore(root);
        reopened.FindLatest().Should().Be(newest);
        reopened.FindPrevious(Path.Combine(root, "step-00000030")).Should().Be(newest, "the abandoned step 30 is no checkpoint to step back from");

        Save(reopened, 30).Should().Be(Path.Combine(root, "step-00000030"));
        HiddenLeftovers().Should().BeEmpty();
    }

    [Fact]
    public void A_step_published_before_a_kill_kept_latest_json_from_naming_it_is_passed_over_and_replaced_by_the_resumed_run()
    {
        var store = new CheckpointStore(root);
        Save(store, 10);
        var named = Save(store, 20);
        // As a process killed between renaming step 30 into place and replacing latest.json leaves it: complete, but
        // indistinguishable from a later step of an abandoned run, which latest.json is there to pass over.
        var unnamed = Path.Combine(root, "step-00000030");
        Directory.CreateDirectory(unnamed);
        File.WriteAllText(Path.Combine(unnamed, Files[0]), "a run started over");

        var reopened = new CheckpointStore(root);
        reopened.FindLatest().Should().Be(named);

        Save(reopened, 30).Should().Be(unnamed);
        IsComplete(unnamed).Should().BeTrue("the resumed run's step 30 replaced the folder");
        reopened.FindLatest().Should().Be(unnamed);
        HiddenLeftovers().Should().BeEmpty();
    }

    [Fact]
    public void Pointer_files_abandoned_before_their_rename_are_removed_by_the_next_save_and_keep_no_folder_from_being_deleted()
    {
        var store = new CheckpointStore(root);
        Save(store, 10);
        var abandoned = AbandonPointerFile();

        var latest = Save(new CheckpointStore(root), 20);

        File.Exists(abandoned).Should().BeFalse();
        new CheckpointStore(root).FindLatest().Should().Be(latest);

        AbandonPointerFile();
        new CheckpointStore(root).DeleteAll();
        Directory.Exists(root).Should().BeFalse("nothing of the store is left in it");
    }

    [Fact]
    public void A_save_whose_folder_fails_to_move_into_place_puts_back_the_checkpoint_it_was_replacing()
    {
        var store = new CheckpointStore(root);
        Save(store, 10);
        var newest = Save(store, 20);
        var failing = new CheckpointStore(root) { PublishFolder = (_, _) => throw new IOException("Simulated failed rename.") };

        // Saving step 20 again, as a run resumed from it and stopped before step 21 does.
        var save = () => failing.Save(20, folder => File.WriteAllText(Path.Combine(folder, Files[0]), "the replacement"));

        save.Should().Throw<IOException>().WithMessage("Simulated failed rename.");
        IsComplete(newest).Should().BeTrue("the checkpoint being replaced is renamed back");
        HiddenLeftovers().Should().BeEmpty();
        var reopened = new CheckpointStore(root);
        reopened.FindLatest().Should().Be(newest);
        Save(reopened, 30);
        StepFolders().Select(Path.GetFileName).Should().Equal("step-00000020", "step-00000030");
        IsComplete(newest).Should().BeTrue("the next save keeps it");
    }

    [Fact]
    public void A_checkpoint_whose_replacement_was_killed_before_it_moved_in_is_found_again_and_the_next_save_removes_the_leftovers()
    {
        var store = new CheckpointStore(root);
        Save(store, 10);
        var replaced = Save(store, 20);

        // Saving step 20 again, as a run resumed from it and stopped before step 21 does.
        KillBetweenTheRenames(killable => Save(killable, 20));

        Directory.Exists(replaced).Should().BeFalse("the kill came after step 20 was renamed aside");
        var reopened = new CheckpointStore(root);
        reopened.FindLatest().Should().Be(replaced, "the step renamed aside is the newest complete one, and latest.json names it");
        IsComplete(replaced).Should().BeTrue();
        Save(reopened, 30);
        HiddenLeftovers().Should().BeEmpty();
        StepFolders().Select(Path.GetFileName).Should().Equal("step-00000020", "step-00000030");
    }

    [Fact]
    public void A_saved_folder_whose_replacement_was_killed_before_it_moved_in_is_read_again()
    {
        var store = new CheckpointStore(root);
        var best = store.SaveFolder("best-epoch-001", folder => File.WriteAllText(Path.Combine(folder, Files[0]), "the replaced weights"));
        var checkpoint = Save(store, 10);

        KillBetweenTheRenames(killable => killable.SaveFolder("best-epoch-001", folder => File.WriteAllText(Path.Combine(folder, Files[0]), "new weights")));

        Directory.Exists(best).Should().BeFalse("the kill came after the folder was renamed aside");
        new CheckpointStore(root).Read(checkpoint, reading => File.ReadAllText(Path.Combine(best, Files[0]))).Should().Be("the replaced weights");
        HiddenLeftovers().Should().ContainSingle("the replacement's temporary folder is left for the next save")
            .Which.Should().StartWith(Path.Combine(root, ".tmp-best-epoch-001-"));
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void A_process_killed_midway_through_any_deletion_leaves_only_complete_checkpoints_and_the_next_run_cleans_up(string operation)
    {
        var deletions = CountDeletions(operation);
        deletions.Should().BePositive($"'{operation}' deletes a folder");

        for (var killedAt = 0; killedAt < deletions; killedAt++)
        {
            var killer = new MidwayKill(killedAt);
            var store = Prepare(killer.Delete);

            var run = () => Run(store, operation);

            run.Should().Throw<SimulatedKillException>($"deletion {killedAt} of '{operation}' is stopped");
            var because = $"the process was killed in deletion {killedAt} of '{operation}'";
            // The next process opens the folder afresh.
            var reopened = new CheckpointStore(root);
            StepFolders().Where(folder => !IsComplete(folder)).Should().BeEmpty(because);
            if (reopened.FindLatest() is { } latest)
            {
                IsComplete(latest).Should().BeTrue(because);
            }

            HiddenLeftovers().Should().NotBeEmpty("the deletion stopped midway left its renamed folder");
            var next = Save(reopened, 40);
            HiddenLeftovers().Should().BeEmpty(because);
            reopened.FindLatest().Should().Be(next);
            reopened.DeleteAll();
            Directory.Exists(root).Should().BeFalse(because);
        }
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Without_a_kill_each_operation_leaves_the_expected_checkpoints_and_no_leftovers(string operation)
    {
        var store = Prepare(folder => Directory.Delete(folder, recursive: true));

        Run(store, operation);

        var expected = operation switch
        {
            "save the next step" => ["step-00000020", "step-00000030"],
            "save the newest step again" => ["step-00000010", "step-00000020"],
            "save an earlier step" => ["step-00000010", "step-00000015"],
            _ => Array.Empty<string>(),
        };
        StepFolders().Select(Path.GetFileName).Should().Equal(expected);
        StepFolders().Where(folder => !IsComplete(folder)).Should().BeEmpty();
        HiddenLeftovers().Should().BeEmpty();
        new CheckpointStore(root).FindLatest().Should().Be(expected.Length == 0 ? null : Path.Combine(root, expected[^1]));
    }

    /// <summary>
    /// Runs <paramref name="replace"/>, which replaces a folder of the store, and leaves the store's folder as a process
    /// killed between renaming the old folder aside and moving the new one in leaves it: a copy taken at that instant
    /// takes the folder's place, as the save's own recovery of a failed rename must not tidy it up.
    /// </summary>
    private void KillBetweenTheRenames(Action<CheckpointStore> replace)
    {
        var atTheKill = root + "-killed";
        var killable = new CheckpointStore(root)
        {
            PublishFolder = (_, _) =>
            {
                CopyFolder(root, atTheKill);
                throw new SimulatedKillException();
            },
        };

        var act = () => replace(killable);

        act.Should().Throw<SimulatedKillException>();
        Directory.Delete(root, recursive: true);
        Directory.Move(atTheKill, root);
    }

    private static void CopyFolder(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        foreach (var folder in Directory.EnumerateDirectories(source))
        {
            CopyFolder(folder, Path.Combine(destination, Path.GetFileName(folder)));
        }
    }

    /// <summary>
    /// Leaves a truncated temporary file of latest.json, as a process killed in <see cref="CheckpointStore.ReplaceAtomically"/>
    /// between writing it and renaming it does.
    /// </summary>
    private string AbandonPointerFile()
    {
        var abandoned = Path.Combine(root, "latest.json.tmp-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(abandoned, "{\"Folder\":\"step-00000");
        return abandoned;
    }

    /// <summary>Steps 10 and 20 saved, deleting through <paramref name="deleteRetiredFolder"/>.</summary>
    private CheckpointStore Prepare(Action<string> deleteRetiredFolder)
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        var store = new CheckpointStore(root) { DeleteRetiredFolder = deleteRetiredFolder };
        Save(store, 10);
        Save(store, 20);
        return store;
    }

    private static void Run(CheckpointStore store, string operation)
    {
        switch (operation)
        {
            case "save the next step":
                Save(store, 30);
                break;
            case "save the newest step again":
                // Replaces the folder latest.json names, as a run resumed from step 20 and stopped before step 21 does.
                Save(store, 20);
                break;
            case "save an earlier step":
                Save(store, 15);
                break;
            default:
                store.DeleteAll();
                break;
        }
    }

    private int CountDeletions(string operation)
    {
        var count = 0;
        Run(Prepare(folder =>
        {
            count++;
            Directory.Delete(folder, recursive: true);
        }), operation);
        return count;
    }

    /// <summary>Saves a checkpoint whose every file holds its folder's name, e.g. <c>step-00000010</c>.</summary>
    private static string Save(CheckpointStore store, long step) =>
        store.Save(step, folder =>
        {
            foreach (var file in Files)
            {
                File.WriteAllText(Path.Combine(folder, file), $"step-{step:D8}");
            }
        });

    /// <summary>Whether the checkpoint holds each of its files, with its own contents.</summary>
    private static bool IsComplete(string checkpoint) =>
        Files.All(file => File.Exists(Path.Combine(checkpoint, file)) && File.ReadAllText(Path.Combine(checkpoint, file)) == Path.GetFileName(checkpoint));

    private List<string> StepFolders() =>
        Directory.Exists(root) ? Directory.EnumerateDirectories(root, "step-*").Order(StringComparer.Ordinal).ToList() : [];

    private List<string> HiddenLeftovers() =>
        Directory.Exists(root) ? Directory.EnumerateFileSystemEntries(root).Where(entry => Path.GetFileName(entry).Contains(".tmp-", StringComparison.Ordinal)).ToList() : [];

    /// <summary>
    /// Deletes folders until the <c>killedAt</c>-th (from 0), of which it deletes one file before the process "dies":
    /// from then on every deletion fails at once, as nothing runs in a killed process.
    /// </summary>
    private sealed class MidwayKill(int killedAt)
    {
        private int calls;

        public void Delete(string folder)
        {
            var call = calls++;
            if (call < killedAt)
            {
                Directory.Delete(folder, recursive: true);
                return;
            }

            if (call == killedAt)
            {
                File.Delete(Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).First());
            }

            throw new SimulatedKillException();
        }
    }

    private sealed class SimulatedKillException : Exception;
}

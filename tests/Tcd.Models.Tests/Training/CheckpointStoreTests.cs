using Tcd.Models.Training;

namespace Tcd.Models.Tests.Training;

public sealed class CheckpointStoreTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "tcd-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Save_PublishesCompleteCheckpointAndPointer()
    {
        var store = new CheckpointStore(root);

        var folder = store.Save(100, dir => File.WriteAllText(Path.Combine(dir, "weights"), "w100"));

        store.FindLatest().Should().Be(folder);
        File.ReadAllText(Path.Combine(folder, "weights")).Should().Be("w100");
    }

    [Fact]
    public void Opening_creates_nothing_until_the_first_save()
    {
        var store = new CheckpointStore(Path.Combine(root, "nested", "checkpoints"));

        store.FindLatest().Should().BeNull();
        Directory.Exists(root).Should().BeFalse();

        store.Save(1, dir => File.WriteAllText(Path.Combine(dir, "weights"), "w1"));
        store.FindLatest().Should().Be(Path.Combine(root, "nested", "checkpoints", "step-00000001"));
    }

    [Fact]
    public void A_file_in_place_of_the_folder_is_refused_with_a_clear_message()
    {
        Directory.CreateDirectory(root);
        var file = Path.Combine(root, "not-a-folder");
        File.WriteAllText(file, "x");

        var open = () => new CheckpointStore(file);

        open.Should().Throw<IOException>().WithMessage($"The checkpoint folder '{file}' is a file; give a folder*");
    }

    [Fact]
    public void FindPrevious_IsTheNewestOlderCheckpoint_AndStepOfReadsTheFolderName()
    {
        var store = new CheckpointStore(root, keepLast: 3);
        var first = store.Save(9, _ => { });
        var second = store.Save(10, _ => { });
        var third = store.Save(100, _ => { });

        store.FindPrevious(third).Should().Be(second);
        store.FindPrevious(second).Should().Be(first);
        store.FindPrevious(first).Should().BeNull();
        CheckpointStore.StepOf(third).Should().Be(100);
        var notACheckpoint = () => CheckpointStore.StepOf(root);
        notACheckpoint.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void ARunStartedOverRemovesTheAbandonedRunsLaterCheckpoints()
    {
        var store = new CheckpointStore(root, keepLast: 2);
        store.Save(4, _ => { });
        store.Save(6, _ => { });

        var restarted = store.Save(2, _ => { });

        store.FindLatest().Should().Be(restarted);
        Directory.EnumerateDirectories(root).Should().Equal(restarted);
        store.Save(3, _ => { });
        store.FindPrevious(store.FindLatest()!).Should().Be(restarted);
    }

    [Fact]
    public void CrashDuringSave_KeepsThePreviousCheckpoint()
    {
        var store = new CheckpointStore(root);
        var first = store.Save(10, dir => File.WriteAllText(Path.Combine(dir, "weights"), "good"));

        var act = () => store.Save(20, dir =>
        {
            File.WriteAllText(Path.Combine(dir, "weights"), "half");
            throw new IOException("disk full");
        });

        act.Should().Throw<IOException>();
        store.FindLatest().Should().Be(first);
        File.ReadAllText(Path.Combine(first, "weights")).Should().Be("good");
        Directory.EnumerateDirectories(root).Should().ContainSingle();
    }

    [Fact]
    public void KilledProcessLeftovers_AreNeverReturned()
    {
        var store = new CheckpointStore(root);
        var good = store.Save(10, dir => File.WriteAllText(Path.Combine(dir, "weights"), "good"));
        Directory.CreateDirectory(Path.Combine(root, ".tmp-step-00000020-deadbeef"));

        new CheckpointStore(root).FindLatest().Should().Be(good);
    }

    [Fact]
    public void KeepsOnlyTheLastN()
    {
        var store = new CheckpointStore(root, keepLast: 2);
        for (var step = 1; step <= 4; step++)
        {
            store.Save(step, dir => File.WriteAllText(Path.Combine(dir, "w"), "x"));
        }

        Directory.EnumerateDirectories(root).Select(Path.GetFileName).Should().BeEquivalentTo("step-00000003", "step-00000004");
    }

    [Fact]
    public void DamagedPointer_FallsBackToTheNewestStepFolder()
    {
        var store = new CheckpointStore(root);
        store.Save(10, dir => File.WriteAllText(Path.Combine(dir, "w"), "x"));
        var newest = store.Save(20, dir => File.WriteAllText(Path.Combine(dir, "w"), "y"));
        File.WriteAllText(Path.Combine(root, "latest.json"), "{ not json");

        new CheckpointStore(root).FindLatest().Should().Be(newest);
    }
}

using Tcd.Models.Training;

namespace Tcd.Models.Tests.Training;

/// <summary>
/// A training run through <see cref="CheckpointFallback.TrainDroppingUnusableCheckpoints"/> reuses a usable checkpoint,
/// drops an unusable one with a warning and trains again, and lets every other failure through.
/// </summary>
public sealed class CheckpointFallbackTests : IDisposable
{
    private const string Damaged = "damaged";
    private const string OfAnotherRun = "of another run";

    private readonly string root = Path.Combine(Path.GetTempPath(), "tcd-ckpt-fallback-" + Guid.NewGuid().ToString("N"));
    private readonly List<string> warnings = [];
    private readonly List<string?> trainedFrom = [];

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_usable_checkpoint_is_resumed_from_without_a_warning()
    {
        Save(5, "good");
        var newest = Save(10, "good");

        var result = Train(Resume);

        result.Should().Be("resumed at step 10");
        trainedFrom.Should().Equal(newest);
        warnings.Should().BeEmpty();
        new CheckpointStore(root).FindLatest().Should().Be(newest);
    }

    [Fact]
    public void A_damaged_newest_checkpoint_is_deleted_and_the_training_resumed_from_the_one_before_it()
    {
        var previous = Save(5, "good");
        var damaged = Save(10, Damaged);

        var result = Train(Resume);

        result.Should().Be("resumed at step 5");
        trainedFrom.Should().Equal(damaged, previous);
        warnings.Should().Equal($"'{damaged}' cannot be read (bad header in {Path.Combine(damaged, "weights")}); resuming from '{previous}'");
        Directory.Exists(damaged).Should().BeFalse();
        Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).Should().BeEquivalentTo("step-00000005", "latest.json");
    }

    [Fact]
    public void Damaged_checkpoints_are_dropped_one_after_the_other_down_to_a_usable_one()
    {
        var usable = Save(5, "good");
        Save(10, Damaged);
        Save(15, Damaged);

        var result = Train(Resume);

        result.Should().Be("resumed at step 5");
        trainedFrom.Should().HaveCount(3);
        warnings.Should().HaveCount(2).And.AllSatisfy(warning => warning.Should().Contain(" cannot be read (bad header"));
        new CheckpointStore(root).FindLatest().Should().Be(usable);
    }

    [Fact]
    public void A_damaged_only_checkpoint_is_deleted_with_the_folder_and_the_training_run_from_its_first_step()
    {
        var damaged = Save(10, Damaged);
        Directory.CreateDirectory(Path.Combine(root, "best-epoch-1"));

        var result = Train(Resume);

        result.Should().Be("trained from the first step");
        warnings.Should().Equal($"'{damaged}' cannot be read (bad header in {Path.Combine(damaged, "weights")}); training from the first step");
        Directory.Exists(root).Should().BeFalse("the run's best-epoch folder went with its checkpoints");
    }

    [Fact]
    public void A_checkpoint_of_another_run_is_deleted_with_the_folder_and_the_training_run_from_its_first_step()
    {
        Save(5, "good");
        var other = Save(10, OfAnotherRun);

        var result = Train(Resume);

        result.Should().Be("trained from the first step");
        trainedFrom.Should().Equal(other, null);
        warnings.Should().Equal($"'{other}' belongs to another run (Seed 1 (now 2); BatchSize 4 (now 8)); training from the first step");
        Directory.Exists(root).Should().BeFalse();
    }

    [Fact]
    public void Another_failure_propagates_and_leaves_the_checkpoints_as_they_are()
    {
        var newest = Save(10, "good");

        var train = () => Train(() => throw new InvalidOperationException("out of memory"));

        train.Should().Throw<InvalidOperationException>().WithMessage("out of memory");
        warnings.Should().BeEmpty();
        new CheckpointStore(root).FindLatest().Should().Be(newest);
    }

    [Fact]
    public void A_training_from_the_first_step_that_fails_on_a_checkpoint_again_propagates_instead_of_looping()
    {
        var other = Save(10, OfAnotherRun);
        var calls = 0;

        var train = () => Train(() =>
        {
            calls++;
            throw new CheckpointMismatchException(other, ["Seed 1 (now 2)"], "options");
        });

        train.Should().Throw<CheckpointMismatchException>();
        calls.Should().Be(2);
        warnings.Should().ContainSingle();
    }

    private string Train(Func<string> train) => CheckpointFallback.TrainDroppingUnusableCheckpoints(root, train, warnings.Add);

    /// <summary>
    /// Stands for a trainer resuming from the newest checkpoint: one whose weights read "damaged" cannot be read, one
    /// whose weights read "of another run" belongs to another run.
    /// </summary>
    private string Resume()
    {
        var store = new CheckpointStore(root);
        var latest = store.FindLatest();
        trainedFrom.Add(latest);
        if (latest is null)
        {
            return "trained from the first step";
        }

        var weights = Path.Combine(latest, "weights");
        return File.ReadAllText(weights) switch
        {
            Damaged => throw new CheckpointLoadException(latest, store.FindPrevious(latest), weights, new InvalidDataException($"bad header in {weights}")),
            OfAnotherRun => throw new CheckpointMismatchException(latest, ["Seed 1 (now 2)", "BatchSize 4 (now 8)"], "options"),
            _ => $"resumed at step {CheckpointStore.StepOf(latest)}",
        };
    }

    private string Save(long step, string weights) =>
        new CheckpointStore(root, keepLast: 3).Save(step, folder => File.WriteAllText(Path.Combine(folder, "weights"), weights));
}

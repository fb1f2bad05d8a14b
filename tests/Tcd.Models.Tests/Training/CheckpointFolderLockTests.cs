using Tcd.Models.Runtime;
using Tcd.Models.Training;
using static Tcd.Models.Tests.Training.FineTuningFixture;
using static Tcd.Models.Tests.Training.PretrainerFixture;

namespace Tcd.Models.Tests.Training;

/// <summary>A training run locks its checkpoint folder: a second run given it fails at once and changes nothing in it.</summary>
public sealed class CheckpointFolderLockTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("tcd-checkpoint-lock-");

    public void Dispose() => root.Delete(recursive: true);

    private string Checkpoints => Path.Combine(root.FullName, "checkpoints");

    /// <summary>Every file under the folder but the lock's, with its contents, to tell that nothing was written, renamed or deleted.</summary>
    private Dictionary<string, string> Contents() => Directory.EnumerateFiles(Checkpoints, "*", SearchOption.AllDirectories)
        .Where(file => !FolderLock.IsLockFile(file))
        .ToDictionary(file => Path.GetRelativePath(Checkpoints, file), file => Convert.ToBase64String(File.ReadAllBytes(file)));

    private static Pretrainer Pretrainer(PretrainingOptions options) => new(NewModel(Vanilla), PretrainingObjective.MaskedLanguageModel, options, Encoder);

    [Fact]
    public void A_pretraining_run_on_a_locked_checkpoint_folder_fails_at_once_and_leaves_the_folder_as_it_was()
    {
        var options = FastOptions(2) with { CheckpointDirectory = Checkpoints, CheckpointEvery = 1, KeepCheckpoints = 1 };
        Pretrainer(options).Run(RepeatedText());
        var before = Contents();
        before.Keys.Should().Contain(Path.Combine("step-00000002", "trainer-state.json"));

        using (FolderLock.Acquire(Checkpoints, "checkpoint folder", "give another folder"))
        {
            // A run that starts over would delete the checkpoints first; one that resumes would train past them.
            var startingOver = () => Pretrainer(options with { TotalSteps = 4, Resume = false }).Run(RepeatedText());

            startingOver.Should().Throw<FolderInUseException>()
                .WithMessage($"Another run in this process is using the checkpoint folder '{Checkpoints}'; wait for it to finish, or give this run another checkpoint folder.");
            Contents().Should().BeEquivalentTo(before);
        }

        var afterwards = Pretrainer(options with { TotalSteps = 4 }).Run(RepeatedText());
        afterwards.ResumedFromStep.Should().Be(2);
        afterwards.LastCheckpoint.Should().EndWith("step-00000004");
        Directory.EnumerateFileSystemEntries(Checkpoints).Should().NotContain(entry => FolderLock.IsLockFile(entry), "the run lets go of the folder");
    }

    [Fact]
    public void A_fine_tuning_run_on_a_locked_checkpoint_folder_fails_at_once_and_a_run_after_it_works()
    {
        var options = Fast(epochs: 1) with { CheckpointDirectory = Checkpoints };
        var model = NewClassifier();
        var weights = Snapshot(model);

        using (FolderLock.Acquire(Checkpoints, "checkpoint folder", "give another folder"))
        {
            var locked = () => new FineTuner(model, options, Encoder.SpecialTokenIds).Train(SentimentExamples());

            locked.Should().Throw<FolderInUseException>().Which.Folder.Should().Be(Checkpoints);
            // Compared array by array: FluentAssertions' structural equivalence takes half a minute over the weights.
            Snapshot(model).Should().AllSatisfy(tensor => tensor.Value.Should().Equal(weights[tensor.Key]), "the run stopped before its first step");
            Contents().Should().BeEmpty();
        }

        var result = new FineTuner(model, options, Encoder.SpecialTokenIds).Train(SentimentExamples());
        result.EpochLosses.Should().HaveCount(1);
        Directory.Exists(Checkpoints).Should().BeFalse("a finished run deletes its checkpoints, and the lock its folder left empty");
    }
}

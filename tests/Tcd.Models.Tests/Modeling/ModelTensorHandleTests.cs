using Tcd.Models.Interop;
using Tcd.Models.Modeling;
using Tcd.Models.Tests.Data;
using Tcd.Models.Tests.Interop;
using Tcd.Models.Tests.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Modeling;

/// <summary>
/// Making, loading, converting and disposing a model leaves no tensor handle behind: a handle nothing disposes keeps its
/// weights' memory until the finalizer runs, however promptly the model is disposed, and loops that make models (GLUE
/// cells, XPERT, tests) would pile them up. Each case runs once to warm up (first-use caches), then several times; the
/// count of live handles (<see cref="ThreadTensors.Live"/>) must not move.
/// </summary>
public sealed class ModelTensorHandleTests : IDisposable
{
    private const int Rounds = 3;

    private readonly TempFiles files = new();

    public static TheoryData<string> NewModelKinds => ["masked LM", "MoE masked LM", "classifier", "encoder"];

    public void Dispose() => files.Dispose();

    [Theory]
    [MemberData(nameof(NewModelKinds))]
    public void NewModel_OnceDisposed_LeavesNoTensorHandleBehind(string kind)
    {
        LiveHandlesAddedBy(() => NewModel(kind).Dispose()).Should().Be(0);
    }

    [Fact]
    public void SavedModels_LoadedConvertedAndDisposed_LeaveNoTensorHandleBehind()
    {
        var maskedLm = files.PathOf("masked-lm");
        var classifier = files.PathOf("classifier");
        var encoder = files.PathOf("encoder");
        using (var model = new BertForMaskedLm(TinyConfigs.Vanilla))
        {
            BertModelStore.Save(model, TinyConfigs.Vanilla, maskedLm);
        }

        using (var model = new BertForSequenceClassification(TinyConfigs.Moe, numLabels: 3))
        {
            BertModelStore.Save(model, TinyConfigs.Moe, classifier);
        }

        using (var model = new BertModel(TinyConfigs.Vanilla, addPoolingLayer: true))
        {
            BertModelStore.Save(model, TinyConfigs.Vanilla, encoder);
        }

        LiveHandlesAddedBy(() =>
        {
            using var loaded = BertModelStore.LoadMaskedLm(maskedLm, CPU);
            loaded.to(ScalarType.BFloat16);
            loaded.to(ScalarType.Float32);
            using var fineTuned = BertModelStore.LoadSequenceClassification(classifier);
            using var bare = BertModelStore.LoadBertModel(encoder);
        }).Should().Be(0);
    }

    [Fact]
    public void ClassifierFromPretrained_OnceDisposed_LeavesNoTensorHandleBehind()
    {
        using var pretrained = new BertForMaskedLm(TinyConfigs.Vanilla);

        LiveHandlesAddedBy(() => BertForSequenceClassification.FromPretrained(pretrained, numLabels: 2).Dispose()).Should().Be(0);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void HuggingFaceCheckpointInHalfPrecision_ImportedAndDisposed_LeavesNoTensorHandleBehind(ScalarType type)
    {
        string folder;
        using (NewDisposeScope())
        {
            var halves = HfCheckpoints.PreTrainingStateDict(seed: 5)
                .ToDictionary(pair => pair.Key, pair => pair.Value.is_floating_point() ? pair.Value.to(type) : pair.Value);
            folder = HfCheckpoints.Write(files.PathOf("checkpoint"), HfCheckpoints.ConfigJson("BertForPreTraining"), halves);
        }

        LiveHandlesAddedBy(() => HuggingFaceCheckpoint.LoadMaskedLm(folder).Dispose()).Should().Be(0);
    }

    private static nn.Module NewModel(string kind) => kind switch
    {
        "masked LM" => new BertForMaskedLm(TinyConfigs.Vanilla),
        "MoE masked LM" => new BertForMaskedLm(TinyConfigs.Moe),
        "classifier" => new BertForSequenceClassification(TinyConfigs.Vanilla, numLabels: 2),
        "encoder" => new BertModel(TinyConfigs.Vanilla, addPoolingLayer: true),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a model kind of this test"),
    };

    /// <summary>The live handles that <see cref="Rounds"/> runs of <paramref name="round"/> add, after one to warm up.</summary>
    private static long LiveHandlesAddedBy(Action round)
    {
        round();
        var before = ThreadTensors.Live;
        for (var run = 0; run < Rounds; run++)
        {
            round();
        }

        return ThreadTensors.Live - before;
    }
}

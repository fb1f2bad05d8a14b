using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Estimators;

namespace Tcd.MLNet.Tests.Serialization;

/// <summary>
/// The promise of a model file: trained and saved here, loaded by one call in a new process (as a serving process starts
/// after training) with the same predictions.
/// </summary>
public sealed class ModelFileInAnotherProcessTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("tcd-mlnet-process-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void A_chain_saved_here_scores_identically_when_loaded_in_another_process()
    {
        var mlContext = new MLContext(seed: 1);
        var training = mlContext.Data.LoadFromEnumerable(TcdTestData.Topics());
        var model = mlContext.Transforms.Conversion.MapValueToKey("Label", "Topic")
            .Append(mlContext.Tcd().TextClassifier(TcdTestData.Teacher, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(1) }))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedTopic", "PredictedLabel"))
            .Fit(training);
        var modelFile = Path.Combine(folder.FullName, "topics.zip");
        mlContext.Tcd().SaveModel(model, training.Schema, modelFile);
        // Texts it was trained on, unseen ones, an empty one and an unseen topic.
        TopicRow[] rows = [.. TcdTestData.Topics().Take(6), new() { Text = "the goalkeeper saved a penalty", Topic = "sport" }, new() { Text = "", Topic = "weather" }, new() { Text = "markets rallied", Topic = "politics" }];
        var rowsFile = Path.Combine(folder.FullName, "rows.tsv");
        File.WriteAllLines(rowsFile, ["Text\tTopic", .. rows.Select(row => $"{row.Text}\t{row.Topic}")]);

        var here = model.Transform(mlContext.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Score").ToArray();
        var there = ScorerProgram.Score(modelFile, rowsFile);

        there.Should().HaveCount(rows.Length);
        here.Should().AllSatisfy(scores => scores.Should().HaveCount(3));
        // Bit for bit, as docs/mlnet.md promises: the file holds the fine-tuned weights, vocabulary and label mapping exactly.
        there.Should().BeEquivalentTo(here, options => options.WithStrictOrdering(), "another process predicts what this one did");
    }
}

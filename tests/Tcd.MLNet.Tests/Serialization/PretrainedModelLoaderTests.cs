using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
using Tcd.Models.Data;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;
using TorchSharp.PyBridge;

namespace Tcd.MLNet.Tests.Serialization;

public sealed class PretrainedModelLoaderTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("tcd-mlnet-loader-tests-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void A_model_file_a_store_folder_a_run_folder_and_a_Hugging_Face_folder_of_either_weights_format_load_with_the_same_features()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TcdTestData.Corpus(mlContext);
        var expected = Features(TcdTestData.Teacher.Transform(data));
        var file = Path.Combine(folder.FullName, "teacher.zip");
        var store = Path.Combine(folder.FullName, "store");
        var huggingFace = Path.Combine(folder.FullName, "hf");
        var run = Path.Combine(folder.FullName, "run");
        var pyTorch = Path.Combine(folder.FullName, "hf-bin");
        mlContext.Tcd().SaveModel(TcdTestData.Teacher, data.Schema, file);
        BertModelStore.Save(TcdTestData.Teacher.Model, TcdTestData.Teacher.Config, store);
        HuggingFaceExporter.Save(TcdTestData.Teacher.Model, huggingFace);
        BertModelStore.Save(TcdTestData.Teacher.Model, TcdTestData.Teacher.Config, Path.Combine(run, "model"));
        HuggingFaceExporter.Save(TcdTestData.Teacher.Model, pyTorch);
        PyTorchPickler.PickleStateDict(Path.Combine(pyTorch, HuggingFaceCheckpoint.PyTorchFileName), HuggingFaceCheckpoint.ReadStateDict(pyTorch));
        File.Delete(Path.Combine(pyTorch, HuggingFaceCheckpoint.SafeTensorsFileName));

        foreach (var path in new[] { file, store, huggingFace, run, pyTorch })
        {
            var loaded = mlContext.Tcd().LoadPretrained(path, outputColumnName: "Embedding");
            loaded.Config.Should().Be(TcdTestData.Teacher.Config, path);
            var features = loaded.Transform(data).GetColumn<float[]>("Embedding").ToList();
            features.Zip(expected).Should().OnlyContain(pair => pair.First.Zip(pair.Second).All(v => Math.Abs(v.First - v.Second) < 1e-5), path);
        }
    }

    [Fact]
    public void A_Hugging_Face_encoder_without_a_masked_lm_head_loads_under_a_new_one_with_a_warning_and_the_same_features()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = new List<string>();
        mlContext.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning) { lock (warnings) { warnings.Add(e.Message); } } };
        var data = TcdTestData.Corpus(mlContext);
        var encoder = Path.Combine(folder.FullName, "sentence-encoder");
        HuggingFaceExporter.Save(TcdTestData.Teacher.Model.Bert, encoder);

        var loaded = mlContext.Tcd().LoadPretrained(encoder);

        warnings.Should().ContainSingle().Which.Should().Contain($"'{encoder}' holds a BertModel checkpoint without a masked-LM head, so its encoder is loaded under a new one");
        var features = Features(loaded.Transform(data));
        features.Zip(Features(TcdTestData.Teacher.Transform(data))).Should().OnlyContain(pair => pair.First.Zip(pair.Second).All(v => Math.Abs(v.First - v.Second) < 1e-5));
    }

    [Fact]
    public void A_folder_with_a_cased_tokenizer_loads_cased_and_keeps_it_in_a_model_file()
    {
        var mlContext = new MLContext(seed: 1);
        var store = Path.Combine(folder.FullName, "cased");
        BertModelStore.Save(TcdTestData.Teacher.Model, TcdTestData.Teacher.Config, store);
        File.WriteAllLines(Path.Combine(store, BertTextEncoder.VocabularyFileName), BertTextEncoder.CreateUncased().Vocabulary);
        File.WriteAllText(Path.Combine(store, BertTokenizerSettings.FileName), """{"do_lower_case": false}""");
        var file = Path.Combine(folder.FullName, "cased.zip");

        var loaded = mlContext.Tcd().LoadPretrained(store);
        mlContext.Tcd().SaveModel(loaded, TcdTestData.Corpus(mlContext).Schema, file);
        var reloaded = (PretrainedBertTransformer)mlContext.Tcd().LoadModel(file, out _);

        var unknown = loaded.Encoder.SpecialTokenIds.Unk;
        loaded.Encoder.Tokenize("Paris").Should().Equal([unknown], "the uncased vocabulary has no 'Paris', and a cased tokenizer does not lower-case it");
        reloaded.Encoder.Settings.Should().Be(BertTokenizerSettings.Cased);
        reloaded.Encoder.Tokenize("Paris").Should().Equal([unknown]);
    }

    [Fact]
    public void A_fine_tuned_file_or_a_missing_path_is_an_error_naming_the_path()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment(1));
        var classifier = mlContext.Tcd().TextClassifier(TcdTestData.Teacher, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(1) }).Fit(data);
        var file = Path.Combine(folder.FullName, "classifier.zip");
        mlContext.Tcd().SaveModel(classifier, data.Schema, file);

        var fineTuned = () => mlContext.Tcd().LoadPretrained(file);
        fineTuned.Should().Throw<InvalidDataException>().WithMessage("*classifier.zip*no pre-trained*");
        var missing = () => mlContext.Tcd().LoadPretrained(Path.Combine(folder.FullName, "nowhere"));
        missing.Should().Throw<FileNotFoundException>().WithMessage("*nowhere*");
        var empty = () => mlContext.Tcd().LoadPretrained(folder.FullName);
        empty.Should().Throw<FileNotFoundException>().WithMessage("*config.json*");
    }

    [Fact]
    public void A_model_file_with_one_pretrained_network_loads_it_and_frees_the_rest_and_one_with_two_is_refused_and_freed()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment(1));
        var teacher = TcdTestData.Teacher;
        var second = new PretrainedBertTransformer(new BertForMaskedLm(TcdTestData.Tiny), BertTextEncoder.CreateUncased(), outputColumnName: "Second", maxSequenceLength: 32);
        var files = new Dictionary<string, ITransformer>
        {
            ["teacher.zip"] = teacher,
            ["with-classifier.zip"] = new TransformerChain<ITransformer>(teacher, TcdTestData.SentimentClassifier),
            ["with-its-featurizer.zip"] = new TransformerChain<ITransformer>(teacher, mlContext.Tcd().Featurize(teacher, outputColumnName: "Cls", pooling: FeaturePooling.Cls)),
            ["two-networks.zip"] = new TransformerChain<ITransformer>(teacher, second),
            ["classifier.zip"] = TcdTestData.SentimentClassifier,
        }.ToDictionary(file => file.Key, file =>
        {
            var path = Path.Combine(folder.FullName, file.Key);
            mlContext.Tcd().SaveModel(file.Value, data.Schema, path);
            return path;
        });
        mlContext.Tcd().DisposeModel(second);
        var expected = Features(teacher.Transform(data));
        var weights = teacher.Model.parameters().Count();

        foreach (var file in new[] { "teacher.zip", "with-classifier.zip", "with-its-featurizer.zip" })
        {
            var before = TcdTestData.LiveTensors();
            var loaded = mlContext.Tcd().LoadPretrained(files[file]);
            (TcdTestData.LiveTensors() - before).Should().Be(weights, $"{file}: the returned network is held, the others are freed");
            Features(loaded.Transform(data)).Zip(expected).Should().OnlyContain(pair => pair.First.Zip(pair.Second).All(v => Math.Abs(v.First - v.Second) < 1e-5), file);
            mlContext.Tcd().DisposeModel(loaded);
        }

        foreach (var (file, message) in new[] { ("two-networks.zip", $"'{files["two-networks.zip"]}' holds 2 pre-trained networks*LoadModel*"), ("classifier.zip", "*no pre-trained*") })
        {
            var before = TcdTestData.LiveTensors();
            var load = () => mlContext.Tcd().LoadPretrained(files[file]);
            load.Should().Throw<InvalidDataException>(file).WithMessage(message);
            (TcdTestData.LiveTensors() - before).Should().Be(0, $"{file}: a refused file leaves no network behind");
        }
    }

    private static List<float[]> Features(IDataView data) => data.GetColumn<float[]>("Features").ToList();
}

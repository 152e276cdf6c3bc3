// A validator with a syntax error: the problem is broken, not the submission.
int main( { return 42; }

#define BOOST_TEST_MODULE acne
#include <boost/test/unit_test.hpp>
